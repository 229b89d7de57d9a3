package dev.perfusion.api.spi;

import java.util.Objects;

/**
 * Settings every backend honours.
 *
 * @param device which device to run on
 */
public record BackendOptions(DevicePreference device) {

    /** Where a backend should run. */
    public enum DevicePreference {
        /** A GPU when there is one, else the CPU. */
        AUTO,
        /** The CPU, even where there is a GPU. */
        CPU,
        /** A GPU; opening fails where there is none. */
        GPU
    }

    public BackendOptions {
        Objects.requireNonNull(device, "device");
    }

    public static BackendOptions defaults() {
        return new BackendOptions(DevicePreference.AUTO);
    }
}
