"""PyTorch side of neuroflux's comparison: the network of a neuroflux compress run trained by PyTorch, either by
block-wise local learning exactly as neuroflux trains it (--method ll) or by end-to-end backpropagation
(--method bp). PyTorch is not a dependency of neuroflux; only this benchmark uses it (set it up with
../shared/reference/setup-torch.sh). The network is the ONNX file's own architecture and initial weights,
interpreted by the reference's OnnxNet (../shared/reference/torch_reference.py).

  python torch_local_learning.py MODEL.onnx --report RUN/report.json --units inspect.json [--method ll|bp]
      [--limit-train N] [--threads N] [--bp-batch N] [--cache-dir DIR] [--state-dir DIR] [--data-dir DIR]

  --report  the report.json of `neuroflux compress` on MODEL.onnx: blocks (units and batch size of each),
            epochs, lr, weight decay, optimizer, schedule, seed, threads and the number of training samples
  --units   the output of `neuroflux inspect MODEL.onnx --json`: each unit's input and output values and its
            exit (head filters, pooling; the classifier for the last unit)

What --method ll does, each point as neuroflux's compress does it (the Java class that does it in brackets):
- data: Fashion-MNIST from Debian's dataset-fashion-mnist (or --data-dir); the validation split (10%, 6,000
  images) carved from the 60,000 training images by the seed and --limit-train taken from the rest, with Java's
  SplittableRandom reproduced bit for bit (DataSources, Shuffle, Seeds); every split normalised with the mean and
  standard deviation of the final training split (ChannelNormalization). No augmentation (refused if the run had it).
- units: the values inspect names as unit boundaries; unit k runs the ONNX nodes from its input to its output.
- exits: after every unit but the last an auxiliary head Conv 3x3 (pad 1, no bias, F filters as inspect reports
  from neuroflux's adaptive rule) -> BatchNorm (eps 1e-5, momentum 0.1) -> ReLU -> average pooling to a grid of at
  most 2x2 (windows ceil(d/2), end padding not counted) -> Flatten -> Linear (AuxiliaryHeads, HeadPooling); its
  initial weights are neuroflux's own: He-normal from java.util.Random(seed * 1000003 + name.hashCode()),
  reproduced bit for bit. The last unit's exit is the model's classifier.
- training: the blocks of the report one after another, each at its batch size for the run's epochs. On each
  batch every unit of the block takes one step on the mean cross-entropy of its own exit, its input detached from
  the unit before (BlockRunner); the batches are neuroflux's (the same shuffled order from the seed plus the block
  index, the last partial batch dropped; BatchLoader). SGD, Nesterov momentum 0.9, weight decay on every trained
  parameter (conv and linear weights and biases, batch-norm scales and biases), PyTorch's OneCycleLR (pct_start
  0.15, cycled momentum 0.95 to 0.85) restarted for each block over its steps (OneCycleSchedule).
- after each block: the block runs once in eval mode (batch norm on running statistics) over train, validation and
  test; its last unit's output is written to a cache file that the next block reads (earlier blocks never run
  again), and each of its exits is scored on validation and test (CompressPipeline's caching pass). Cache pages
  are dropped from the process after every batch read, as neuroflux's cache does.

--method bp trains the whole network end to end as torch_reference.py's main does (its optimizer, OneCycleLR and
step; pct_start 0.15), on the same split, normalisation and batch order as ll, at --bp-batch (default: the
report's bp_batch_size, the largest batch whose backprop fits the run's budget), and scores the classifier.

Prints one JSON object (progress goes to stderr): per block the training wall time and samples per second, the
caching pass's time and the peak resident set of each; per exit its parameters and validation and test accuracy,
and the exit neuroflux's rule would select; total wall time, the resident set at rest (data and model loaded,
before training) and the run's peak resident set. A span's peak is the kernel's high-water mark, reset before
the span through /proc/self/clear_refs; the run's peak is the largest of them and ru_maxrss.
"""
import argparse, gzip, json, mmap, os, resource, shutil, sys, tempfile, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.environ.get('NEUROFLUX_TORCH_REFERENCE', os.path.join(HERE, '..', '..', 'shared', 'reference'))
sys.path.insert(0, REFERENCE)
import torch, torch.nn as nn, torch.nn.functional as F  # noqa: E402
from torch_reference import OnnxNet, debian_fashion_mnist  # noqa: E402

M64 = (1 << 64) - 1


# ---- Java's random numbers, as neuroflux draws them -------------------------------------------------------------

def seeds_mix(z):
    """neuroflux.stages.data.Seeds.mix: the SplitMix64 finaliser."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def seeds_derive(seed, *parts):
    """neuroflux.stages.data.Seeds.derive."""
    h = seeds_mix(seed & M64)
    for p in parts:
        h = seeds_mix(h ^ seeds_mix((p + 0x9E3779B97F4A7C15) & M64))
    return h


class SplittableRandom:
    """java.util.SplittableRandom(seed): nextInt() and nextInt(bound) (RandomSupport.boundedNextInt)."""
    GAMMA = 0x9E3779B97F4A7C15

    def __init__(self, seed):
        self.seed = seed & M64

    def next_int(self):
        self.seed = (self.seed + self.GAMMA) & M64
        z = self.seed
        z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & M64
        return (((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3) & M64) >> 32  # as an unsigned 32-bit value

    def next_bounded(self, bound):
        r = self.next_int()
        m = bound - 1
        if bound & m == 0:
            return r & m
        u = r >> 1
        while True:
            r = u % bound
            if u + m - r < (1 << 31):  # Java's int sum did not overflow
                return r
            u = self.next_int() >> 1


def shuffle_in_place(a, rng):
    """neuroflux.stages.data.Shuffle.inPlace (Fisher-Yates from the end)."""
    for i in range(len(a) - 1, 0, -1):
        j = rng.next_bounded(i + 1)
        a[i], a[j] = a[j], a[i]


def permutation(n, rng):
    a = list(range(n))
    shuffle_in_place(a, rng)
    return np.array(a, dtype=np.int64)


def java_string_hash(s):
    """String.hashCode: over the UTF-16 code units, in 32-bit arithmetic."""
    h, units = 0, s.encode('utf-16-be')
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] << 8 | units[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= (1 << 31) else h


def java_gaussians(seed, count):
    """The first `count` values of java.util.Random(seed).nextGaussian() (the polar method), vectorised: the
    generator's states are computed by jumping ahead (state(i + L) = A_L state(i) + C_L mod 2^48), each pair of
    nextDouble() values is accepted or rejected as Java does, and an accepted pair gives two values in order."""
    mask48, a, c = (1 << 48) - 1, 0x5DEECE66D, 0xB
    state = (seed ^ a) & mask48
    states = np.empty(1 << 12, dtype=np.uint64)
    for i in range(len(states)):
        state = (a * state + c) & mask48
        states[i] = state
    aL, cL = a, c  # the jump over len(states) steps, by repeated squaring alongside the doubling below
    for _ in range(12):
        aL, cL = (aL * aL) & mask48, (aL * cL + cL) & mask48
    while True:
        # each value takes 2 states per double, 2 doubles per pair, and about 4/pi pairs per 2 values
        if len(states) >= 4 * count * 0.64 + 4096:
            usable = len(states) // 4 * 4
            hi = (states[0:usable:2] >> np.uint64(22)).astype(np.float64)  # next(26)
            lo = (states[1:usable:2] >> np.uint64(21)).astype(np.float64)  # next(27)
            d = (hi * 134217728.0 + lo) * 2.0 ** -53                        # nextDouble()
            v1, v2 = 2 * d[0::2] - 1, 2 * d[1::2] - 1
            r = v1 * v1 + v2 * v2
            ok = (r < 1) & (r != 0)
            mult = np.sqrt(-2 * np.log(r[ok]) / r[ok])
            out = np.stack([v1[ok] * mult, v2[ok] * mult], axis=1).ravel()
            if len(out) >= count:
                return out[:count]
        with np.errstate(over='ignore'):  # uint64 products wrap mod 2^64; their low 48 bits are exact
            states = np.concatenate([states, (states * np.uint64(aL) + np.uint64(cL)) & np.uint64(mask48)])
        aL, cL = (aL * aL) & mask48, (aL * cL + cL) & mask48


# ---- data, split and normalised as neuroflux does -------------------------------------------------------------

def read_idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


class Splits:
    """Fashion-MNIST split as DataSources.split: validation carved by the seed, the training limit from the rest."""
    VALIDATION_SALT = 0x7A11D

    def __init__(self, root, seed, validation, limit):
        xtr = read_idx(os.path.join(root, 'train-images-idx3-ubyte.gz'), 16).reshape(-1, 1, 28, 28)
        ytr = read_idx(os.path.join(root, 'train-labels-idx1-ubyte.gz'), 8).astype(np.int64)
        xte = read_idx(os.path.join(root, 't10k-images-idx3-ubyte.gz'), 16).reshape(-1, 1, 28, 28)
        yte = read_idx(os.path.join(root, 't10k-labels-idx1-ubyte.gz'), 8).astype(np.int64)
        n = len(xtr)
        count = int(max(1, round_half_up(validation * n))) if validation < 1 else int(validation)
        pool = list(range(n))
        shuffle_in_place(pool, SplittableRandom(seeds_derive(seed, self.VALIDATION_SALT)))
        val = np.sort(np.array(pool[:count]))
        rest = pool[count:]
        train = np.sort(np.array(rest[:min(len(rest), limit)]))
        self.available = len(rest)
        pixels = xtr[train].astype(np.int64)
        mean = pixels.sum(axis=(0, 2, 3)) / (len(train) * 28 * 28)
        var = np.maximum(0, (pixels * pixels).sum(axis=(0, 2, 3)) / (len(train) * 28 * 28) - mean * mean)
        std = np.where(var > 0, np.sqrt(var), 1.0)
        self.mean, self.std = mean, std
        self.table = ((np.arange(256)[None, :] - mean[:, None]) / std[:, None]).astype(np.float32)  # per channel
        self.train = (xtr[train], ytr[train])
        self.validation = (xtr[val], ytr[val])
        self.test = (xte, yte)

    def normalised(self, raw):
        """uint8 [n, C, H, W] to the normalised float32 samples (one table lookup a pixel, as NormalizedImages)."""
        return np.stack([self.table[ch][raw[:, ch]] for ch in range(raw.shape[1])], axis=1)


def round_half_up(x):
    return int(np.floor(x + 0.5))  # Java's Math.round


class ImageSource:
    """A split's raw images, normalised when a batch is taken."""
    def __init__(self, splits, split):
        self.splits, (self.raw, self.labels) = splits, split

    def __len__(self):
        return len(self.labels)

    def take(self, idx):
        return self.splits.normalised(self.raw[idx])

    def done(self):
        pass


class CachedSource:
    """A block's output for one split in a cache file, read through a map whose pages are dropped after every
    batch read (as neuroflux's ResidentBoundedCache does), so that they are not counted in the resident set."""
    def __init__(self, path, shape, dtype, labels):
        self.path, self.shape, self.dtype, self.labels = path, shape, np.dtype(dtype), labels
        self.file = open(path, 'rb')
        self.map = mmap.mmap(self.file.fileno(), 0, prot=mmap.PROT_READ)
        self.array = np.frombuffer(self.map, dtype=self.dtype).reshape(len(labels), *shape)

    def __len__(self):
        return len(self.labels)

    def take(self, idx):
        return self.array[idx].astype(np.float32, copy=False)

    def done(self):
        self.map.madvise(mmap.MADV_DONTNEED)

    def close(self):
        self.array = None
        self.map.close()
        self.file.close()


# ---- the network cut into units, and the heads --------------------------------------------------------------

class NodeRange:
    """The ONNX nodes that compute `output` from `input`, run by OnnxNet's own interpreter on the shared network."""
    def __init__(self, net, input, output):
        self._net, self.input, self.output = net, input, output
        producer = {o: n for n in net.nodes for o in n.output}
        for v in (input, output):
            if v not in producer and v != net.input:
                raise SystemExit(f'torch_local_learning: the model has no value {v!r} (did the importer rename it?)')
        needed, stack, seen = set(), [output], set()
        while stack:
            v = stack.pop()
            if v == input or v in seen:
                continue
            seen.add(v)
            n = producer.get(v)
            if n is None:
                if v == net.input:
                    raise SystemExit(f'torch_local_learning: {output!r} depends on the model input past {input!r}')
                continue
            needed.add(id(n))
            stack.extend(i for i in n.input if i)
        self.nodes = [n for n in net.nodes if id(n) in needed]
        keys = []
        for n in self.nodes:
            for i in n.input:
                k = net.key(i) if i else None
                if k in net.params and k not in keys:
                    keys.append(k)
        self.param_keys = keys

    def __getattr__(self, name):  # value(), params, training, ... are the network's
        return getattr(self._net, name)

    def __call__(self, x):
        return OnnxNet.forward(self, x)

    def parameters(self):
        return [self._net.params[k] for k in self.param_keys]


class Head(nn.Module):
    """neuroflux's auxiliary head (AuxiliaryHeads) with neuroflux's initial values for the given seed."""
    def __init__(self, name, channels, height, width, exit, classes, seed):
        super().__init__()
        f = exit['filters']
        self.conv = nn.Conv2d(channels, f, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(f, eps=1e-5, momentum=0.1)
        kh, kw = exit['pool_kernel']
        ph, pw = exit['pool_pads'][2:]
        gh, gw = exit['grid']
        self.kernel, self.pads, self.pooled = (kh, kw), (ph, pw), exit['pooled']
        if self.pooled:  # windows that reach into the end padding average only the cells they cover
            ones = F.pad(torch.ones(1, 1, height, width), (0, pw, 0, ph))
            self.register_buffer('cells', F.avg_pool2d(ones, (kh, kw), (kh, kw)) * (kh * kw))
        features = f * gh * gw
        self.fc = nn.Linear(features, classes)
        java_seed = (seed * 1_000_003 + java_string_hash(name)) & M64
        conv_n, fc_n = f * channels * 9, classes * features
        g = java_gaussians(java_seed, conv_n + fc_n)
        with torch.no_grad():
            self.conv.weight.copy_(torch.from_numpy((g[:conv_n] * np.sqrt(2.0 / (channels * 9)))
                                                    .astype(np.float32).reshape(f, channels, 3, 3)))
            self.fc.weight.copy_(torch.from_numpy((g[conv_n:] * np.sqrt(2.0 / features))
                                                  .astype(np.float32).reshape(classes, features)))
            self.fc.bias.zero_()
        if sum(p.numel() for p in self.parameters()) != exit['params']:
            raise SystemExit(f'torch_local_learning: head {name} has {sum(p.numel() for p in self.parameters())}'
                             f' parameters, neuroflux {exit["params"]}')

    def forward(self, x):
        y = F.relu(self.bn(self.conv(x)))
        if self.pooled:
            ph, pw = self.pads
            y = F.avg_pool2d(F.pad(y, (0, pw, 0, ph)), self.kernel, self.kernel) * (self.kernel[0] * self.kernel[1])
            y = y / self.cells
        return self.fc(torch.flatten(y, 1))


class Unit:
    """Unit k with its exit: its nodes, and its head or (last unit) the model's classifier."""
    def __init__(self, net, k, spec, last, classes, seed):
        self.k, self.name, self.last = k, spec['name'], last
        self.exit_name = spec['exit']['name']
        if last:
            self.body = NodeRange(net, spec['input'], net.output)  # the unit and the classifier
            self.head = None
        else:
            self.body = NodeRange(net, spec['input'], spec['output'])
            c, h, w = spec['output_shape']
            self.head = Head(self.exit_name, c, h, w, spec['exit'], classes, seed)

    def parameters(self):
        return self.body.parameters() + (list(self.head.parameters()) if self.head is not None else [])

    def forward(self, x):
        """(the unit's output, its exit's logits); for the last unit both are the logits."""
        y = self.body(x)
        return (y, y) if self.last else (y, self.head(y))

    def train(self, mode):
        if self.head is not None:
            self.head.train(mode)


# ---- training ---------------------------------------------------------------------------------------------------

def one_cycle(opt, lr, steps):
    return torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=max(1, steps), pct_start=0.15)


def batch_order(n, batch, seed, epoch):
    """BatchLoader.training's order for an epoch: the shuffled indices, cut into full batches."""
    order = permutation(n, SplittableRandom(seeds_derive(seed, 0x5A0F, epoch)))
    return [order[i * batch:(i + 1) * batch] for i in range(n // batch)]


def status_bytes(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024
    return None


def rss_bytes():
    return status_bytes('VmRSS')


class Peaks:
    """Peak resident sets of spans of the run: the kernel's high-water mark (VmHWM) is reset to the current
    resident set before a span (writing 5 to /proc/self/clear_refs) and read after it. The whole run's peak is the
    largest of all spans' and of ru_maxrss."""
    def __init__(self):
        self.highest = 0

    def start(self):
        self.highest = max(self.highest, status_bytes('VmHWM') or 0)
        try:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')
            return True
        except OSError:
            return False

    def end(self):
        peak = status_bytes('VmHWM')
        self.highest = max(self.highest, peak or 0)
        return peak

    def overall(self):
        return max(self.highest, status_bytes('VmHWM') or 0,
                   resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


PEAKS = Peaks()


def accuracy(pred, labels):
    return float((pred == labels).mean())


def select_exit(exits, tolerance_points):
    """ExitSelection: the fewest parameters among exits within the tolerance of the best validation accuracy."""
    best = max(e['val_accuracy'] for e in exits)
    ok = [e for e in exits if e['val_accuracy'] >= best - tolerance_points / 100 - 1e-12]
    return min(ok, key=lambda e: e['params'])['unit']


def evaluate(forward, source, batch):
    """Runs `forward` (numpy batch -> list of tensors) over a source in order; returns the outputs' predictions."""
    parts = []
    for i in range(0, len(source), batch):
        idx = np.arange(i, min(i + batch, len(source)))
        outs = forward(source.take(idx))
        source.done()
        parts.append([o.argmax(1).numpy() for o in outs])
    return [np.concatenate(p) for p in zip(*parts)]


def local_learning(a, report, inspect, splits, net, classes, common):
    units_spec = inspect['units']
    units = [Unit(net, k, u, k == len(units_spec) - 1, classes, report['seed']) for k, u in enumerate(units_spec)]
    for u in units:  # the model's parameters plus the exit's, counted as neuroflux counts them
        n = sum(net.params[k].numel() for v in units[:u.k + 1] for k in v.body.param_keys)
        n += sum(p.numel() for p in u.head.parameters()) if u.head is not None else 0
        u.params = n
        if n != u_exit(units_spec, u.k)['exit_params']:
            raise SystemExit(f'torch_local_learning: exit {u.exit_name} has {n} parameters, neuroflux'
                             f' {u_exit(units_spec, u.k)["exit_params"]}')
    rest_rss = rss_bytes()
    dtype = np.float16 if report.get('cache_dtype', 'float32') == 'float16' else np.float32
    train, val, test = (ImageSource(splits, splits.train), ImageSource(splits, splits.validation),
                        ImageSource(splits, splits.test))
    blocks, exits = [], []
    start = time.perf_counter()
    resumes, done = 0, 0
    if a.state_dir:
        # a run stopped between blocks goes on from the last finished one: later blocks read only its caches, and
        # train only their own units, so the blocks and exits recorded so far and those caches are all it needs
        cache_dir = os.path.join(a.state_dir, 'cache')
        os.makedirs(cache_dir, exist_ok=True)
        progress_file = os.path.join(a.state_dir, 'progress.json')
        if os.path.exists(progress_file):
            with open(progress_file) as f:
                saved = json.load(f)
            if saved['report'] != os.path.abspath(a.report):
                raise SystemExit(f'torch_local_learning: {a.state_dir} holds a run of {saved["report"]}, not of'
                                 f' {os.path.abspath(a.report)}')
            blocks, exits, done = saved['blocks'], saved['exits'], saved['blocks_done']
            resumes = saved['resumes'] + 1
            start -= saved['elapsed_s']
            a.run_start -= saved['run_elapsed_s']  # main's wall time goes on from the stopped process's
            rest_rss = saved['rss_at_rest_bytes']
            shape = tuple(units_spec[int(str(report['blocks'][done - 1]['units'][-1]).removeprefix('unit'))]
                          ['output_shape'])
            train, val, test = (CachedSource(path, shape, dtype, source.labels)
                                for path, source in zip(saved['caches'], (train, val, test)))
            print(f'torch ll: resuming after block {done} of {len(report["blocks"])} ({saved["elapsed_s"]:.1f} s'
                  ' so far)', file=sys.stderr)
    else:
        cache_dir = tempfile.mkdtemp(prefix='torch-ll-cache-', dir=a.cache_dir)
    finished = False
    try:
        for b, block in enumerate(report['blocks']):
            if b < done:
                continue
            ks = [int(str(k).removeprefix('unit')) if not isinstance(k, int) else k for k in block['units']]
            members = [units[k] for k in ks]
            batch, epochs = block['batch_size'], block['epochs']
            params = [p for u in members for p in u.parameters()]
            opt = torch.optim.SGD(params, lr=report['lr'], momentum=0.9, nesterov=True,
                                  weight_decay=report['weight_decay'])
            steps_per_epoch = len(train) // batch
            sched = one_cycle(opt, report['lr'], steps_per_epoch * epochs)
            net.train()
            for u in members:
                u.train(True)
            resettable = PEAKS.start()
            t0 = time.perf_counter()
            seen, last_epoch = 0, None
            for e in range(epochs):
                te = time.perf_counter()
                loss_sum = np.zeros(len(members))
                correct = np.zeros(len(members))
                n = 0
                for idx in batch_order(len(train), batch, report['seed'] + b, e):
                    x = torch.from_numpy(train.take(idx))
                    train.done()
                    y = torch.from_numpy(train.labels[idx])
                    losses = []
                    for j, u in enumerate(members):
                        out, logits = u.forward(x)
                        loss = F.cross_entropy(logits, y)
                        losses.append(loss)
                        loss_sum[j] += loss.item() * len(idx)
                        correct[j] += (logits.argmax(1) == y).sum().item()
                        x = out.detach()
                    opt.zero_grad(set_to_none=True)
                    torch.stack(losses).sum().backward()  # each loss reaches only its own unit and exit
                    opt.step()
                    sched.step()
                    n += len(idx)
                seen += n
                last_epoch = {'epoch': e + 1, 'samples_per_s': n / (time.perf_counter() - te),
                              'train_loss': (loss_sum / max(1, n)).tolist(),
                              'train_accuracy': (correct / max(1, n)).tolist()}
                print(f'torch ll block {b + 1} epoch {e + 1}/{epochs}: loss {np.round(loss_sum / max(1, n), 4)}, '
                      f'{last_epoch["samples_per_s"]:.1f} samples/s', file=sys.stderr)
            train_s = time.perf_counter() - t0
            train_peak = PEAKS.end() if resettable else None

            # caching pass: the block in eval mode over every split; its output cached, its exits scored
            resettable = PEAKS.start()
            t1 = time.perf_counter()
            net.eval()
            for u in members:
                u.train(False)
            last_block = members[-1].last
            shape = tuple(units_spec[ks[-1]]['output_shape'])

            def run_block(xs, sink):
                outs = []
                with torch.no_grad():
                    x = torch.from_numpy(xs)
                    for u in members:
                        x, logits = u.forward(x)
                        outs.append(logits)
                if sink is not None:
                    sink.write(x.numpy().astype(dtype).tobytes())
                return outs

            new_sources = []
            accuracies = {}
            for name, source in (('train', train), ('validation', val), ('test', test)):
                if name == 'train' and last_block:
                    continue
                sink = None if last_block else open(os.path.join(cache_dir, f'block{b + 1}-{name}.cache'), 'wb')
                preds = evaluate(lambda xs: run_block(xs, sink), source, batch)
                if sink is not None:
                    sink.close()
                    new_sources.append(CachedSource(sink.name, shape, dtype, source.labels))
                if name != 'train':
                    accuracies[name] = [accuracy(p, source.labels) for p in preds]
            for j, u in enumerate(members):
                exits.append({'unit': u.name, 'exit': u.exit_name, 'params': u.params,
                              'val_accuracy': accuracies['validation'][j], 'test_accuracy': accuracies['test'][j]})
            cache_s = time.perf_counter() - t1
            cache_peak = PEAKS.end() if resettable else None
            for s in (train, val, test):  # the caches this block read are no longer needed
                if isinstance(s, CachedSource):
                    s.close()
                    os.remove(s.path)
            if new_sources:
                train, val, test = new_sources
            blocks.append({'units': [u.name for u in members], 'batch_size': batch, 'epochs': epochs,
                           'steps': steps_per_epoch * epochs, 'train_wall_s': train_s,
                           'samples_per_s': seen / train_s, 'last_epoch': last_epoch, 'cache_pass_s': cache_s,
                           'train_peak_rss_bytes': train_peak, 'cache_pass_peak_rss_bytes': cache_peak})
            print(f'torch ll block {b + 1}/{len(report["blocks"])} done in {train_s:.1f} s + {cache_s:.1f} s caching;'
                  ' exits: ' + '; '.join(f'{x["unit"]} val {x["val_accuracy"]:.4f} test {x["test_accuracy"]:.4f}'
                                        for x in exits[-len(members):]), file=sys.stderr)
            if a.state_dir and not last_block:
                saved = {'report': os.path.abspath(a.report), 'blocks_done': b + 1, 'blocks': blocks, 'exits': exits,
                         'elapsed_s': time.perf_counter() - start, 'resumes': resumes,
                         'run_elapsed_s': time.perf_counter() - a.run_start,
                         'rss_at_rest_bytes': rest_rss, 'caches': [s.path for s in (train, val, test)]}
                with open(progress_file + '.part', 'w') as f:
                    json.dump(saved, f)
                os.replace(progress_file + '.part', progress_file)
        finished = True
    finally:
        if finished or not a.state_dir:
            shutil.rmtree(a.state_dir or cache_dir, ignore_errors=True)
    total = time.perf_counter() - start
    return dict(common, method='torch-local-learning', blocks=blocks, exits=exits,
                selected_exit=select_exit(exits, report.get('exit_tolerance_points', 0.5)),
                train_and_cache_wall_s=total, rss_at_rest_bytes=rest_rss, resumes=resumes)


def u_exit(units_spec, k):
    return units_spec[k]['exit']


def backprop(a, report, inspect, splits, net, classes, common):
    batch = a.bp_batch or report.get('bp_batch_size') or 0
    if batch < 1:
        raise SystemExit('torch_local_learning: the report has no backprop batch (it does not fit the budget);'
                         ' give --bp-batch')
    units_spec = inspect['units']
    params = sum(p.numel() for p in net.parameters())
    train, val, test = (ImageSource(splits, splits.train), ImageSource(splits, splits.validation),
                        ImageSource(splits, splits.test))
    # torch_reference.py's optimizer, schedule and step, on neuroflux's data and batch order
    lr = a.bp_lr or report['lr']
    common['lr'] = lr
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=report['weight_decay'],
                          nesterov=True)
    steps_per_epoch = len(train) // batch
    sched = one_cycle(opt, lr, steps_per_epoch * report['epochs'])

    def step(x, y):
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    rest_rss = rss_bytes()
    resettable = PEAKS.start()
    t = time.perf_counter()
    net.train()
    for e in range(report['epochs']):
        loss_sum, n = 0.0, 0
        for idx in batch_order(len(train), batch, report['seed'], e):
            loss = step(torch.from_numpy(train.take(idx)), torch.from_numpy(train.labels[idx]))
            sched.step()
            loss_sum += loss.item() * len(idx)
            n += len(idx)
        print(f'torch bp epoch {e + 1}/{report["epochs"]}: loss {loss_sum / max(1, n):.4f}', file=sys.stderr)
    wall = time.perf_counter() - t
    train_peak = PEAKS.end() if resettable else None
    net.eval()
    with torch.no_grad():
        val_acc = accuracy(evaluate(lambda xs: [net(torch.from_numpy(xs))], val, 1000)[0], val.labels)
        test_acc = accuracy(evaluate(lambda xs: [net(torch.from_numpy(xs))], test, 1000)[0], test.labels)
    exits = [{'unit': units_spec[-1]['name'], 'exit': 'classifier', 'params': params, 'val_accuracy': val_acc,
              'test_accuracy': test_acc}]
    return dict(common, method='torch-bp', batch_size=batch, steps=steps_per_epoch * report['epochs'],
                train_wall_s=wall, samples_per_s=steps_per_epoch * batch * report['epochs'] / wall,
                train_peak_rss_bytes=train_peak, exits=exits,
                selected_exit=exits[0]['unit'], rss_at_rest_bytes=rest_rss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('model')
    ap.add_argument('--report', required=True, help="neuroflux compress's report.json for this model")
    ap.add_argument('--units', required=True, help='the output of `neuroflux inspect MODEL --json`')
    ap.add_argument('--method', choices=('ll', 'bp'), default='ll')
    ap.add_argument('--limit-train', type=int, default=0, help="training samples (default: the report's)")
    ap.add_argument('--validation', type=float, default=0.1, help="validation split (neuroflux's default 0.1)")
    ap.add_argument('--threads', type=int, default=0, help="PyTorch's threads (default: the report's)")
    ap.add_argument('--bp-batch', type=int, default=0, help="bp's batch (default: the report's bp_batch_size)")
    ap.add_argument('--bp-lr', type=float, default=0.0,
                    help="bp's peak learning rate (default: the report's lr, the rate the neuroflux run used)")
    ap.add_argument('--cache-dir', default=None, help='where ll writes its block caches (default: the temp folder)')
    ap.add_argument('--state-dir', default=None,
                    help='ll: keep the caches and the progress there after each block, and continue a run stopped'
                         ' there from its last finished block (removed when the run ends)')
    ap.add_argument('--data-dir', default=None, help="Fashion-MNIST's folder (default: Debian's)")
    a = ap.parse_args()
    start = time.perf_counter()
    report = json.load(open(a.report))
    inspect = json.load(open(a.units))
    if report.get('dataset') != 'fashion-mnist':
        raise SystemExit(f'torch_local_learning: only Fashion-MNIST runs are reproduced, not {report.get("dataset")}')
    for key, want in (('augment', False), ('augment_views', 0), ('optimizer', 'sgd'), ('schedule', 'onecycle')):
        if report.get(key, want) != want:
            raise SystemExit(f'torch_local_learning: the run has {key} {report[key]!r}; only {want!r} is reproduced')
    if report.get('skipped_blocks', 0):
        print('torch_local_learning: the neuroflux run stopped early; PyTorch trains every planned block',
              file=sys.stderr)
    threads = a.threads or report.get('threads') or 2
    torch.set_num_threads(threads)
    torch.manual_seed(report['seed'])
    limit = a.limit_train or report['train_samples']
    splits = Splits(a.data_dir or debian_fashion_mnist(), report['seed'], a.validation, limit)
    if len(splits.train[1]) != report['train_samples']:
        print(f'torch_local_learning: training on {len(splits.train[1])} samples, the neuroflux run on'
              f' {report["train_samples"]}', file=sys.stderr)
    net = OnnxNet(a.model)
    classes = inspect['classifier']['output_shape'][0]
    common = {'model': a.model, 'torch': torch.__version__, 'threads': threads, 'dataset': 'fashion-mnist',
              'train_samples': len(splits.train[1]), 'validation_samples': len(splits.validation[1]),
              'test_samples': len(splits.test[1]), 'seed': report['seed'], 'epochs': report['epochs'],
              'lr': report['lr'], 'weight_decay': report['weight_decay'],
              'optimizer': 'SGD, Nesterov momentum 0.9 (cycled 0.95 to 0.85 by OneCycleLR)',
              'schedule': 'OneCycleLR pct_start 0.15' + (' per block' if a.method == 'll' else '')}
    a.run_start = start
    result = (local_learning if a.method == 'll' else backprop)(a, report, inspect, splits, net, classes, common)
    result['wall_time_s'] = time.perf_counter() - a.run_start
    # a resumed ll run: its earlier processes' peaks are those of their blocks
    result['peak_rss_bytes'] = max([PEAKS.overall()] + [b.get(k) or 0 for b in result.get('blocks', [])
                                                       for k in ('train_peak_rss_bytes', 'cache_pass_peak_rss_bytes')])
    result['peak_rss_note'] = ('resident set of the whole process (Python, PyTorch\'s libraries, the data set);'
                               ' rss_at_rest_bytes: after loading data and model, before training; a span\'s peak'
                               ' (train_peak_rss_bytes, cache_pass_peak_rss_bytes) is the high-water mark reset'
                               ' before it; cache pages are dropped after each batch read, as neuroflux does')
    print(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()
