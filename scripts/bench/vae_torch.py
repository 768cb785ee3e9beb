#!/usr/bin/python3
"""PyTorch peer of the sciLaMA cell-VAE training benchmark.

Trains the cell VAE with AdamW on a cells x genes float32 matrix and prints one
summary line that the TypeScript/onnxruntime benchmark parses:
  PEER vae batch=.. steps=.. steps_s=.. cells_s=.. first_loss=.. last_loss=.. peak_rss_mb=.. torch=.. threads=..
"""
import argparse, os, resource, time
import torch
from torch import nn

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--data", help="raw little-endian float32 file, row-major cells x genes (default: torch.randn with seed 0)")
p.add_argument("--cells", type=int, default=2000, help="number of cells (rows), default 2000")
p.add_argument("--genes", type=int, default=13000, help="number of genes (columns), default 13000")
p.add_argument("--batch", type=int, default=128, help="minibatch size, default 128")
p.add_argument("--steps", type=int, default=30, help="timed training steps, default 30")
p.add_argument("--warmup", type=int, default=3, help="untimed warm-up steps, default 3")
p.add_argument("--threads", type=int, default=2, help="torch intra-op threads, default 2 (inter-op is 1)")
p.add_argument("--hidden", default="900,400", help="encoder hidden sizes, default 900,400")
p.add_argument("--latent", type=int, default=50, help="latent size K, default 50")
p.add_argument("--seed", type=int, default=0, help="seed for init, sampling and noise, default 0")
a = p.parse_args()
torch.set_num_threads(a.threads)  # before any parallel work, or interop setting fails
torch.set_num_interop_threads(1)

N, G, K = a.cells, a.genes, a.latent
H1, H2 = (int(h) for h in a.hidden.split(","))
if a.data:
    expected = N * G * 4
    if os.path.getsize(a.data) != expected:
        p.error(f"{a.data}: {os.path.getsize(a.data)} bytes, expected {expected} for {N}x{G} float32")
    with open(a.data, "rb") as f:
        X = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).view(N, G)
else:
    torch.manual_seed(0)
    X = torch.randn(N, G)

def block(i, o):
    return [nn.Linear(i, o), nn.LayerNorm(o, elementwise_affine=False, eps=1e-5), nn.LeakyReLU(0.01), nn.Dropout(0.1)]

class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(*block(G, H1), *block(H1, H2))
        self.mu, self.s = nn.Linear(H2, K), nn.Linear(H2, K)
        self.dec = nn.Sequential(*block(K, H2), nn.Linear(H2, H1), nn.Linear(H1, G))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.enc(x)
        mu = self.mu(h)
        sigma = torch.sqrt(torch.exp(self.s(h)) + 1e-4)
        z = mu + sigma * torch.randn_like(sigma)
        return self.dec(z), mu, sigma

torch.manual_seed(a.seed)
model = VAE().train()  # dropout on
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0)

pending = torch.empty(0, dtype=torch.long)
def next_batch():
    """Next B row indices from per-epoch random permutations, wrapping into a new epoch."""
    global pending
    while len(pending) < a.batch:
        pending = torch.cat([pending, torch.randperm(N)])
    idx, pending = pending[:a.batch], pending[a.batch:]
    return idx

def step():
    x = X[next_batch()]
    opt.zero_grad()
    xhat, mu, sigma = model(x)
    recon = ((x - xhat) ** 2).sum(1).mean()
    kl = (0.5 * (mu ** 2 + sigma ** 2 - 1) - torch.log(sigma)).sum(1).mean()
    loss = recon + 1.0 * kl  # beta = 1
    loss.backward()
    opt.step()
    return loss.item()  # forces sync; part of the timed step

print(f"config cells={N} genes={G} hidden={H1},{H2} latent={K} data={a.data or 'randn'}")
warm = [step() for _ in range(a.warmup)]
t0 = time.perf_counter()
losses = [step() for _ in range(a.steps)]
dt = time.perf_counter() - t0
first_loss = (warm + losses)[0]  # loss of the very first (untrained) step, warm-up included
print(f"timed {a.steps} steps in {dt:.3f}s ({1000 * dt / a.steps:.1f} ms/step)")
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KB on Linux
print(f"PEER vae batch={a.batch} steps={a.steps} steps_s={a.steps / dt:.3f} cells_s={a.batch * a.steps / dt:.1f} "
      f"first_loss={first_loss:.4f} last_loss={losses[-1]:.4f} peak_rss_mb={peak_mb} torch={torch.__version__} threads={a.threads}")
