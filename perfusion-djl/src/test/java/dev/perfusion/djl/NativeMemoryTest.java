package dev.perfusion.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    @Test
    void advisesASingleArenaOnLinuxWhenNothingIsSet() {
        assertThat(NativeMemory.advice("Linux", Map.of("PATH", "/usr/bin")))
                .hasValueSatisfying(advice -> assertThat(advice).contains("MALLOC_ARENA_MAX=1"));
    }

    @Test
    void staysQuietWhenTheArenaCountIsAlreadyChosen() {
        assertThat(NativeMemory.advice("Linux", Map.of("MALLOC_ARENA_MAX", "4"))).isEmpty();
        assertThat(NativeMemory.advice("Linux",
                Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1:glibc.malloc.arena_max=1"))).isEmpty();
    }

    @Test
    void staysQuietWhereGlibcIsNotTheAllocator() {
        assertThat(NativeMemory.advice("Mac OS X", Map.of())).isEmpty();
        assertThat(NativeMemory.advice("Windows 11", Map.of())).isEmpty();
    }

    @Test
    void readsTunablesThatDoNotSetTheArenaCountAsUnset() {
        assertThat(NativeMemory.advice("Linux", Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1")))
                .isPresent();
    }
}
