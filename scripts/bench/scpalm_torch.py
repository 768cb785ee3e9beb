"""scPaLM's stage-1 training step in PyTorch, the same architecture as native-models/models/scpalm.ts (Algorithm 1's
embedding, post-LN BERT encoder and decoder with tanh GELU, affine VQ with the commitment loss, Algorithm 3's
readout, AdamW), timed on the cells bench-scpalm.ts writes. Prints: PEER scpalm steps_s=… cells_s=… peak_rss_mb=…"""
import argparse
import json
import math
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--x", required=True)
p.add_argument("--present", required=True)
p.add_argument("--cells", type=int, required=True)
p.add_argument("--genes", type=int, required=True)
p.add_argument("--arch", required=True, help="JSON: tokens, hidden, ffn, layers, heads, codes")
p.add_argument("--batch", type=int, required=True)
p.add_argument("--steps", type=int, required=True)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
arch = json.loads(a.arch)
G, N, H = a.genes, arch["tokens"], arch["hidden"]
X = torch.from_numpy(np.fromfile(a.x, dtype=np.float32).reshape(a.cells, G))
PRESENT = torch.from_numpy(np.fromfile(a.present, dtype=np.float32).reshape(1, G))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.att = nn.MultiheadAttention(H, arch["heads"], batch_first=True)
        self.ln1, self.ln2 = nn.LayerNorm(H), nn.LayerNorm(H)
        self.ff1, self.ff2 = nn.Linear(H, arch["ffn"]), nn.Linear(arch["ffn"], H)

    def forward(self, x):
        x = self.ln1(x + self.att(x, x, x, need_weights=False)[0])
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x), approximate="tanh")))


class Stage1(nn.Module):
    def __init__(self):
        super().__init__()
        self.p1 = nn.Parameter(torch.randn(G, N))
        self.alpha = nn.Parameter(torch.ones(G, N))
        self.gene = nn.Parameter(torch.randn(G, N) * 0.02)
        self.zero = nn.Parameter(torch.randn(1, N) * 0.02)
        self.mlp, self.fuse = nn.Linear(N, N), nn.Linear(4 * N, N)
        self.basis = nn.Parameter(torch.randn(N, H))
        self.bias = nn.Parameter(torch.randn(N, H) * 0.02)
        self.norm = nn.LayerNorm(H)
        self.encoder = nn.Sequential(*[Layer() for _ in range(arch["layers"])])
        self.codes = nn.Parameter(torch.randn(arch["codes"], H))
        self.cmean, self.cstd = nn.Parameter(torch.zeros(H)), nn.Parameter(torch.ones(H))
        self.position = nn.Parameter(torch.randn(N, H) * 0.02)
        self.decoder = nn.Sequential(*[Layer() for _ in range(arch["layers"])])
        self.s = math.ceil(G / N)
        self.out = nn.Linear(H, self.s)

    def forward(self, x, present):
        b = x.shape[0]
        u = F.leaky_relu(x[:, :, None] * self.p1, 0.01)
        value = u * self.alpha + F.leaky_relu(self.mlp(u), 0.01)
        on = (x > 0).float() * present
        off = present - on
        n_on, n_off = on.sum(1, keepdim=True) + 1e-6, off.sum(1, keepdim=True) + 1e-6
        pooled = torch.cat([(value * on[:, :, None]).sum(1) / n_on, on @ self.gene / n_on, self.zero.expand(b, N), off @ self.gene / n_off], 1)
        tokens = self.norm(self.fuse(pooled)[:, :, None] * self.basis + self.bias)
        e = self.encoder(tokens).reshape(b * N, H)
        v = self.codes * self.cstd + self.cmean
        idx = (-2 * e @ v.T + (v * v).sum(1)).argmin(1)
        q = v[idx]
        zq = e + (q - e).detach()
        beta = 0.95
        commit = beta * F.mse_loss(q, e.detach()) + (1 - beta) * F.mse_loss(e, q.detach())
        o = self.out(self.decoder(zq.reshape(b, N, H) + self.position)).reshape(b, N * self.s)[:, :G]
        mse = ((o - x) ** 2 * present).sum() / (present.sum() * b + 1e-6)
        return mse + commit


model = Stage1()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)


def step(i):
    rows = torch.tensor([(i * a.batch + j) * 7919 % a.cells for j in range(a.batch)])
    loss = model(X[rows], PRESENT)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


step(0)
t = time.perf_counter()
for i in range(1, a.steps + 1):
    step(i)
sec = time.perf_counter() - t
steps_s = a.steps / sec
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"PEER scpalm steps_s={steps_s:.4f} cells_s={steps_s * a.batch:.2f} peak_rss_mb={peak:.0f} torch={torch.__version__}")
