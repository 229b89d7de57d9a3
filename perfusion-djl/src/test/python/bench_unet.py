#!/usr/bin/env python3
"""Peer benchmark: time per UNet step of perfusion-djl and of diffusers, on the same weights and inputs, in one run.

    python3 perfusion-djl/src/test/python/bench_unet.py [--turns N] [--small-turns M] [--small-turn-steps K]
                                                        [--warmup-seconds S] [--configs small,sd15]
                                                        [--allocator single-arena|default]

Needs torch and diffusers (see make_fixtures.py) and a built project (mvn -DskipTests install). "small" is the
fixture UNet at 16x16 latents; "sd15" is Stable Diffusion 1.5's UNet shapes with random weights at 64x64 latents
(written once to a cache folder, about 3.4 GB). Inference: batch 2 (a guidance pair), no gradients. Training: batch
1, forward and backward to the text encodings with the UNet frozen.

Both models stay loaded (the Java side in a child process, UNetStepBenchmark) and the sides take turns: each warms
up for at least one step and S seconds, then they alternate N turns of one step each (sd15) or M turns of K steps
(small, where the first step of each turn, cold from the other side's run, is not counted). A shared machine's drift
therefore falls on both sides alike, and the ratio of neighbouring turns is a fair comparison even when absolute
times wander. Both processes run with glibc's MALLOC_ARENA_MAX=1, the setting the SDK advises (see
dev.perfusion.djl.NativeMemory), unless --allocator default leaves glibc's default. Prints a Markdown table: the
median step of each side, the median over turns of the ratio of the sides' median steps, and the mean process CPU
time per step (all threads), in milliseconds.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from safetensors.torch import save_file

MODULE = Path(__file__).resolve().parents[3]
FIXTURE_UNET = MODULE / "src/test/resources/fixtures/tiny-sd/unet"
CACHE = Path(os.environ.get("PERFUSION_BENCH_CACHE", Path(tempfile.gettempdir()) / "perfusion-bench"))


def sd15_unet():
    from diffusers import UNet2DConditionModel
    folder = CACHE / "sd15-random-unet"
    if not (folder / "diffusion_pytorch_model.safetensors").exists():
        torch.manual_seed(0)
        unet = UNet2DConditionModel(sample_size=64, cross_attention_dim=768, attention_head_dim=8,
                                    block_out_channels=(320, 640, 1280, 1280), layers_per_block=2)
        unet.save_pretrained(folder, safe_serialization=True)
    return folder


class JavaSide:
    """The port, in a child JVM running a benchmark main that answers each command with one line per timed step,
    "<wall ms> <process cpu ms>", after a first line "ready ..."."""

    def __init__(self, main_class, arguments, classpath, command=lambda kind, count: f"{kind} {count}"):
        self.command = command
        self.process = subprocess.Popen(
            ["java", "-Dai.djl.offline=true", "-cp", classpath, main_class, *map(str, arguments)],
            cwd=MODULE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        ready = self.process.stdout.readline()
        if not ready.startswith("ready"):
            raise RuntimeError(f"the Java benchmark {main_class} did not start: {ready!r}")

    def steps(self, kind, count):
        self.process.stdin.write(self.command(kind, count) + "\n")
        self.process.stdin.flush()
        times = []
        for _ in range(count):
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the Java benchmark exited during a {kind} step")
            wall, cpu = line.split()
            times.append((float(wall), float(cpu)))
        return times

    def close(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait()


class DiffusersSide:
    """diffusers' UNet2DConditionModel in this process."""

    def __init__(self, folder, inputs):
        from diffusers import UNet2DConditionModel
        self.unet = UNet2DConditionModel.from_pretrained(folder).eval()
        self.unet.requires_grad_(False)
        self.inputs = inputs

    def steps(self, kind, count):
        return [self.step(kind) for _ in range(count)]

    def step(self, kind):
        latents, timesteps, context = (self.inputs[k] for k in ("latents", "timesteps", "encoder_hidden_states"))
        wall, cpu = time.perf_counter(), time.process_time()
        if kind == "inference":
            with torch.no_grad():
                self.unet(latents, timesteps, encoder_hidden_states=context).sample.numpy()
        else:
            text = context[:1].clone().requires_grad_(True)
            self.unet(latents[:1], timesteps[:1], encoder_hidden_states=text).sample.square().mean().backward()
            text.grad.numpy()
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    def close(self):
        pass


def lockstep(sides, kind, turns, turn_steps, warmup_seconds):
    """Warms each side up, then gives the sides `turns` alternating turns of `turn_steps` steps each. Returns, per
    side, the (wall, cpu) ms of each turn's steps, without the first step of a turn when a turn has several (it pays
    for the caches and threads the other side left cold, which a sampler's steps back to back do not)."""
    for side in sides:
        warmup_end = time.perf_counter() + warmup_seconds
        side.steps(kind, 1)
        while time.perf_counter() < warmup_end:
            side.steps(kind, 1)
    timed = [[] for _ in sides]
    for turn in range(turns):
        order = range(len(sides)) if turn % 2 == 0 else reversed(range(len(sides)))
        for index in order:
            steps = sides[index].steps(kind, turn_steps)
            timed[index].append(steps[1:] if turn_steps > 1 else steps)
    return timed


def median_of(turns, field):
    return statistics.median(step[field] for turn in turns for step in turn)


def mean_of(turns, field):
    """A mean, not a median: the JVM reports process CPU time in 10 ms ticks."""
    return statistics.fmean(step[field] for turn in turns for step in turn)


def turn_ratio(ours, peer):
    """Median over turns of (our median step / their median step) for the turns that ran side by side."""
    return statistics.median(statistics.median(w for w, _ in a) / statistics.median(w for w, _ in b)
                             for a, b in zip(ours, peer))


def java_classpath():
    cp_file = Path(tempfile.gettempdir()) / "perfusion-djl.classpath"
    subprocess.run(["mvn", "-q", "-B", "-o", "-pl", "perfusion-djl", "dependency:build-classpath",
                    f"-Dmdep.outputFile={cp_file}", "-Dmdep.includeScope=test"], cwd=MODULE.parent, check=True)
    return os.pathsep.join([str(MODULE / "target/classes"), str(MODULE / "target/test-classes"),
                            cp_file.read_text().strip()])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=6, help="turns per side for sd15, one step each")
    parser.add_argument("--small-turns", type=int, default=10, help="turns per side for small")
    parser.add_argument("--small-turn-steps", type=int, default=20, help="steps per turn for small")
    parser.add_argument("--warmup-seconds", type=float, default=5.0)
    parser.add_argument("--configs", default="small,sd15")
    parser.add_argument("--allocator", choices=("single-arena", "default"), default="single-arena",
                        help="single-arena: MALLOC_ARENA_MAX=1 for both processes (glibc reads it at start, so the "
                             "script restarts itself with it); default: as the environment has it")
    args = parser.parse_args()
    if args.allocator == "single-arena" and os.environ.get("MALLOC_ARENA_MAX") != "1":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "MALLOC_ARENA_MAX": "1"})
    torch.set_num_threads(os.cpu_count())
    CACHE.mkdir(parents=True, exist_ok=True)
    classpath = java_classpath()
    rows = []
    for name in args.configs.split(","):
        folder, size, context_dim = (FIXTURE_UNET, 16, 32) if name == "small" else (sd15_unet(), 64, 768)
        torch.manual_seed(1)
        inputs = {"latents": torch.randn(2, 4, size, size), "timesteps": torch.tensor([500, 500]),
                  "encoder_hidden_states": torch.randn(2, 77, context_dim)}
        inputs_file = CACHE / f"{name}-inputs.safetensors"
        save_file(inputs, inputs_file)
        turns, turn_steps = (args.small_turns, args.small_turn_steps) if name == "small" else (args.turns, 1)
        sides = [JavaSide("dev.perfusion.djl.bench.UNetStepBenchmark", [folder, inputs_file], classpath),
                 DiffusersSide(folder, inputs)]
        try:
            for kind in ("inference", "training"):
                ours, peer = lockstep(sides, kind, turns, turn_steps, args.warmup_seconds)
                rows.append((name, size, kind, median_of(ours, 0), median_of(peer, 0), turn_ratio(ours, peer),
                             mean_of(ours, 1), mean_of(peer, 1)))
        finally:
            for side in sides:
                side.close()
    import diffusers
    print(f"\nCPU: {platform.processor() or platform.machine()}, {os.cpu_count()} threads; torch {torch.__version__}, "
          f"diffusers {diffusers.__version__}; the sides alternate in {args.small_turns} turns of "
          f"{args.small_turn_steps} steps (small) or {args.turns} turns of one step (sd15) each, after "
          f"{args.warmup_seconds:g} s of warm-up; MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', 'unset')}\n")
    print("| UNet | latents | step | perfusion-djl ms | diffusers ms | ratio (median over turns) "
          "| perfusion-djl CPU ms (mean) | diffusers CPU ms (mean) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, size, kind, ours, peer, ratio, ours_cpu, peer_cpu in rows:
        print(f"| {name} | {size}x{size} | {kind} | {ours:.1f} | {peer:.1f} | {ratio:.3f} | {ours_cpu:.1f} "
              f"| {peer_cpu:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
