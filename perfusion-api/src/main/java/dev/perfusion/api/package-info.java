/**
 * The types host applications code against: {@link dev.perfusion.api.Concept}, {@link dev.perfusion.api.KeyLockTrainer},
 * {@link dev.perfusion.api.Generator}, {@link dev.perfusion.api.FidelityControl} and the values they exchange.
 */
package dev.perfusion.api;
