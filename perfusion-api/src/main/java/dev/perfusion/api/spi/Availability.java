package dev.perfusion.api.spi;

import java.util.Objects;

/**
 * Whether a backend can run on this machine.
 *
 * @param usable whether it can
 * @param detail the device it would use, or why it cannot run
 */
public record Availability(boolean usable, String detail) {

    public Availability {
        Objects.requireNonNull(detail, "detail");
    }

    public static Availability usable(String device) {
        return new Availability(true, device);
    }

    public static Availability unusable(String reason) {
        return new Availability(false, reason);
    }
}
