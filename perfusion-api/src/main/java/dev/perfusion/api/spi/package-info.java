/**
 * The backend SPI: a backend is a {@link dev.perfusion.api.spi.BackendProvider} registered in
 * {@code META-INF/services/dev.perfusion.api.spi.BackendProvider}, found with {@link java.util.ServiceLoader}.
 * Host applications never call these types; they use {@code dev.perfusion.Perfusion}.
 */
package dev.perfusion.api.spi;
