package dev.perfusion.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.perfusion.api.PerfusionException;
import dev.perfusion.api.spi.BackendOptions.DevicePreference;

/**
 * DJL's PyTorch engine, opened offline: the native library comes from the {@code pytorch-native-*} jar on the
 * class path and DJL is told never to download anything.
 */
public final class DjlRuntime {

    /** DJL's switch that forbids downloads of native libraries and model-zoo metadata. */
    public static final String OFFLINE_PROPERTY = "ai.djl.offline";
    /** The DJL engine this backend runs on. */
    public static final String ENGINE = "PyTorch";

    private DjlRuntime() {
    }

    /** Puts DJL in offline mode and returns the PyTorch engine; call before any other DJL use. */
    public static Engine engine() {
        System.setProperty(OFFLINE_PROPERTY, "true");
        return Engine.getEngine(ENGINE);
    }

    /** The device to run on: a GPU when there is one and the caller allows it, else the CPU. */
    public static Device device(Engine engine, DevicePreference preference) {
        int gpus = engine.getGpuCount();
        return switch (preference) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu(0) : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new PerfusionException("a GPU was asked for, but PyTorch " + engine.getVersion()
                            + " sees none; use the CUDA build (mvn -Pcuda) on a machine with an NVIDIA GPU, "
                            + "or DevicePreference.AUTO");
                }
                yield Device.gpu(0);
            }
        };
    }
}
