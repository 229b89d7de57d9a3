package dev.perfusion.djl;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Advice on the C allocator that libtorch's CPU tensors come from, given once per process when a large model loads.
 *
 * <p>On Linux, glibc serves a block over 32 MB with a fresh {@code mmap} unless the calling thread's arena already
 * has that much free space. Python calls libtorch from the process's first thread, whose contiguous heap keeps freed
 * space for reuse; a JVM calls it from a thread that glibc gives a secondary arena of 64 MB heaps, which cannot hold
 * such a block. At Stable Diffusion 1.5's sizes oneDNN copies the largest convolution weights (up to 118 MB) into a
 * new buffer on every call, so in a JVM each copy is mapped, faulted in page by page and unmapped again: 165,600
 * page faults per guided UNet step on this project's CI machine, against 550 for diffusers. With
 * {@value #ARENA_VARIABLE}{@code =1} all threads share the first heap and a step takes 3; in lockstep that made SD
 * 1.5 steps 2 to 6% faster (see {@code docs/benchmarks.md}). glibc reads the variable when the process starts, so
 * the SDK can only advise it.
 */
public final class NativeMemory {

    /** glibc's environment variable for the most malloc arenas a process may have. */
    public static final String ARENA_VARIABLE = "MALLOC_ARENA_MAX";

    private static final Logger LOG = LoggerFactory.getLogger(NativeMemory.class);
    private static final AtomicBoolean ADVISED = new AtomicBoolean();

    private NativeMemory() {
    }

    /** Logs the advice at INFO, at most once per process, if this process would benefit from it. */
    public static void adviseOnce() {
        if (!ADVISED.getAndSet(true)) {
            advice(System.getProperty("os.name", ""), System.getenv()).ifPresent(LOG::info);
        }
    }

    /**
     * The advice for a process on {@code osName} with environment {@code environment}: empty unless it runs on
     * Linux with glibc's arena count left at its default (neither {@value #ARENA_VARIABLE} nor
     * {@code glibc.malloc.arena_max} in {@code GLIBC_TUNABLES} set).
     */
    static Optional<String> advice(String osName, Map<String, String> environment) {
        boolean linux = osName.toLowerCase(Locale.ROOT).startsWith("linux");
        boolean set = environment.containsKey(ARENA_VARIABLE)
                || environment.getOrDefault("GLIBC_TUNABLES", "").contains("glibc.malloc.arena_max");
        if (!linux || set) {
            return Optional.empty();
        }
        return Optional.of("Stable Diffusion steps run 2-6% faster on the CPU with " + ARENA_VARIABLE
                + "=1 set in the environment before the JVM starts: glibc then keeps libtorch's freed memory for"
                + " reuse instead of unmapping it after each step (see perfusion's docs/benchmarks.md)");
    }
}
