#!/usr/bin/env python3
"""Peer benchmark: time per UNet step of perfusion-djl and of diffusers, on the same weights and inputs, in one run.

    python3 perfusion-djl/src/test/python/bench_unet.py [--iterations N] [--small-iterations M] [--rounds R]
                                                        [--warmup-seconds S] [--configs small,sd15]

Needs torch and diffusers (see make_fixtures.py) and a built project (mvn -DskipTests install). "small" is the
fixture UNet at 16x16 latents; "sd15" is Stable Diffusion 1.5's UNet shapes with random weights at 64x64 latents
(written once to a cache folder, about 3.4 GB). Inference: batch 2 (a guidance pair), no gradients. Training: batch
1, forward and backward to the text encodings with the UNet frozen. Each side warms up for at least one step and S
seconds, then times N steps (M for small); the sides alternate for R rounds, so that a shared machine's drifts hit
both. Prints a Markdown table of the median over all timed steps, in milliseconds.
"""
import argparse
import json
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


def times_ms(iterations, warmup_seconds, step):
    warmup_end = time.perf_counter() + warmup_seconds
    step()
    while time.perf_counter() < warmup_end:
        step()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return times


def time_diffusers(folder, inputs, iterations, warmup_seconds):
    from diffusers import UNet2DConditionModel
    unet = UNet2DConditionModel.from_pretrained(folder).eval()
    unet.requires_grad_(False)
    latents, timesteps, context = inputs["latents"], inputs["timesteps"], inputs["encoder_hidden_states"]

    def inference():
        with torch.no_grad():
            unet(latents, timesteps, encoder_hidden_states=context).sample.numpy()

    def training():
        text = context[:1].clone().requires_grad_(True)
        out = unet(latents[:1], timesteps[:1], encoder_hidden_states=text).sample
        out.square().mean().backward()
        text.grad.numpy()

    return {"inference_ms": times_ms(iterations, warmup_seconds, inference),
            "training_ms": times_ms(iterations, warmup_seconds, training)}


def java_classpath():
    cp_file = Path(tempfile.gettempdir()) / "perfusion-djl.classpath"
    subprocess.run(["mvn", "-q", "-B", "-o", "-pl", "perfusion-djl", "dependency:build-classpath",
                    f"-Dmdep.outputFile={cp_file}", "-Dmdep.includeScope=test"], cwd=MODULE.parent, check=True)
    return os.pathsep.join([str(MODULE / "target/classes"), str(MODULE / "target/test-classes"),
                            cp_file.read_text().strip()])


def time_java(folder, inputs_file, iterations, warmup_seconds, classpath):
    out = subprocess.run(["java", "-Dai.djl.offline=true", "-cp", classpath,
                          "dev.perfusion.djl.bench.UNetStepBenchmark", str(folder), str(inputs_file),
                          str(iterations), str(warmup_seconds)],
                         cwd=MODULE, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=3, help="timed steps per round for sd15")
    parser.add_argument("--small-iterations", type=int, default=30, help="timed steps per round for small")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup-seconds", type=float, default=5.0)
    parser.add_argument("--configs", default="small,sd15")
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    CACHE.mkdir(parents=True, exist_ok=True)
    classpath = java_classpath()
    rows = []
    for name in args.configs.split(","):
        folder, side, context_dim = (FIXTURE_UNET, 16, 32) if name == "small" else (sd15_unet(), 64, 768)
        torch.manual_seed(1)
        inputs = {"latents": torch.randn(2, 4, side, side), "timesteps": torch.tensor([500, 500]),
                  "encoder_hidden_states": torch.randn(2, 77, context_dim)}
        iterations = args.small_iterations if name == "small" else args.iterations
        inputs_file = CACHE / f"{name}-inputs.safetensors"
        save_file(inputs, inputs_file)
        java = {"inference_ms": [], "training_ms": []}
        peer = {"inference_ms": [], "training_ms": []}
        for _ in range(args.rounds):
            for side_times, run in ((java, lambda: time_java(folder, inputs_file, iterations,
                                                              args.warmup_seconds, classpath)),
                                    (peer, lambda: time_diffusers(folder, inputs, iterations,
                                                                  args.warmup_seconds))):
                for key, values in run().items():
                    if key in side_times:
                        side_times[key].extend(values)
        rows.append((name, side, {k: statistics.median(v) for k, v in java.items()},
                     {k: statistics.median(v) for k, v in peer.items()}))
    import diffusers
    print(f"\nCPU: {platform.processor() or platform.machine()}, {os.cpu_count()} threads; torch {torch.__version__}, "
          f"diffusers {diffusers.__version__}; median of {args.rounds} rounds x {args.small_iterations} (small) or "
          f"{args.iterations} (sd15) steps, each side warmed up for {args.warmup_seconds:g} s\n")
    print("| UNet | latents | perfusion-djl inference ms | diffusers inference ms | perfusion-djl training ms "
          "| diffusers training ms |")
    print("|---|---|---|---|---|---|")
    for name, side, java, peer in rows:
        print(f"| {name} | {side}x{side} | {java['inference_ms']:.1f} | {peer['inference_ms']:.1f} | "
              f"{java['training_ms']:.1f} | {peer['training_ms']:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
