#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""End-to-end VFIO harness: real Debian kernels booted in QEMU (TCG).

One invocation = one boot: it fetches (or reuses from the cache) a Debian
kernel package, builds the statically linked guest programs in a nested,
sanitizer-free meson configuration, packs an initramfs with busybox, the
vfio modules and those programs, boots QEMU with an emulated VT-d IOMMU
and parses the scenario results printed on the serial console.

Missing tools or a failed download make the test FAIL with a message: the
suite never skips.
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Refresh the package indexes at most this often; in between, runs are
# offline and reuse the cached packages.
DEFAULT_MAX_AGE_DAYS = 7

KERNELS = {
    # role -> how to recognise its linux-image-amd64 version
    'stable': {'label': '6.1', 'want': lambda v: v.startswith('6.1.')},
    'backports': {'label': '6.12', 'want': lambda v: not v.startswith('6.1.')},
}

# Load order; a name listed in OPTIONAL_MODULES may be absent (vfio_virqfd
# was merged into vfio.ko in 6.2).
MODULE_ORDER = [
    'kernel/virt/lib/irqbypass',
    'kernel/drivers/vfio/vfio',
    'kernel/drivers/vfio/vfio_iommu_type1',
    'kernel/drivers/vfio/vfio_virqfd',
    'kernel/drivers/vfio/pci/vfio-pci-core',
    'kernel/drivers/vfio/pci/vfio-pci',
]
OPTIONAL_MODULES = {'kernel/drivers/vfio/vfio_virqfd'}

MARK = '@@E2E'
T0 = time.monotonic()


class E2EError(Exception):
    """A failure that ends the test with a clear message."""


def log(msg):
    print('[vfio-e2e %6.1fs] %s' % (time.monotonic() - T0, msg), flush=True)


def need_tool(name, hint):
    path = shutil.which(name)
    if not path:
        raise E2EError('required tool "%s" not found in PATH (%s)' % (name, hint))
    return path


def run(cmd, what, cwd=None, env=None, timeout=600):
    try:
        res = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, check=False)
    except subprocess.TimeoutExpired as exc:
        raise E2EError('%s: timed out after %ds' % (what, timeout)) from exc
    if res.returncode != 0:
        raise E2EError('%s failed (exit %d): %s\n%s' %
                       (what, res.returncode, ' '.join(cmd), res.stdout[-4000:]))
    return res.stdout


class Lock:
    """flock() on a file: the suite's tests run in parallel and share caches."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


# --------------------------------------------------------------------------
# Private apt configuration

def parse_deb822_sources(text):
    """Stanzas of a deb822 .sources file as dicts (only what we need)."""
    stanzas = []
    for block in re.split(r'\n[ \t]*\n', text):
        fields = {}
        key = None
        for line in block.splitlines():
            if line.startswith('#') or not line.strip():
                continue
            if line[0] in ' \t' and key:
                fields[key] += '\n' + line.strip()
                continue
            if ':' not in line:
                continue
            key, val = line.split(':', 1)
            key = key.strip().lower()
            fields[key] = val.strip()
        if fields:
            stanzas.append(fields)
    return stanzas


def parse_one_line_sources(text):
    stanzas = []
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if not line.startswith('deb '):
            continue
        opts = ''
        rest = line[4:].strip()
        if rest.startswith('['):
            opts, rest = rest[1:].split(']', 1)
        parts = rest.split()
        if len(parts) < 3:
            continue
        st = {'types': 'deb', 'uris': parts[0], 'suites': parts[1],
              'components': ' '.join(parts[2:])}
        for opt in opts.split():
            if opt.startswith('signed-by='):
                st['signed-by'] = opt.split('=', 1)[1]
        stanzas.append(st)
    return stanzas


def machine_sources():
    """The machine's own apt sources (read at run time, never modified)."""
    path = '/etc/apt/sources.list.d/debian.sources'
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            stanzas = parse_deb822_sources(f.read())
    elif os.path.exists('/etc/apt/sources.list'):
        path = '/etc/apt/sources.list'
        with open(path, encoding='utf-8') as f:
            stanzas = parse_one_line_sources(f.read())
    else:
        raise E2EError('no apt sources found (/etc/apt/sources.list.d/debian.sources)')
    stanzas = [s for s in stanzas
               if 'deb' in s.get('types', '').split() and
               s.get('enabled', 'yes').lower() != 'no']
    if not stanzas:
        raise E2EError('%s has no enabled "deb" source' % path)
    return path, stanzas


def private_sources_list(stanzas):
    """The machine's sources plus bookworm-backports from the same mirror."""
    lines = []
    backports_base = None
    for st in stanzas:
        signed = st.get('signed-by', '')
        # An inline key block cannot be expressed in one-line format; fall
        # back to apt's default keyrings for that source.
        opt = ('[signed-by=%s] ' % signed) if signed and '\n' not in signed \
            and signed.startswith('/') else ''
        for uri in st.get('uris', '').split():
            suites = st.get('suites', '').split()
            for suite in suites:
                lines.append('deb %s%s %s %s' % (opt, uri, suite,
                                                 st.get('components', 'main')))
            if 'bookworm' in suites and backports_base is None:
                backports_base = (opt, uri)
    if backports_base is None:
        raise E2EError('the machine\'s apt sources have no "bookworm" suite, so '
                       'there is no mirror to take bookworm-backports from')
    opt, uri = backports_base
    lines.append('deb %s%s bookworm-backports main' % (opt, uri))
    return '\n'.join(lines) + '\n', uri


class PrivateApt:
    def __init__(self, root):
        self.root = root
        self.lists = os.path.join(root, 'lists')
        self.cache = os.path.join(root, 'cache')
        self.sources = os.path.join(root, 'sources.list')

    def opts(self):
        return [
            '-o', 'Dir::Etc::sourcelist=' + self.sources,
            '-o', 'Dir::Etc::sourceparts=-',
            '-o', 'Dir::State::Lists=' + self.lists,
            '-o', 'Dir::Cache=' + self.cache,
            '-o', 'Dir::Cache::archives=' + os.path.join(self.cache, 'archives'),
            '-o', 'APT::Architectures::=amd64',
            '-o', 'Acquire::Languages=none',
            # Snapshot mirrors serve Release files whose Valid-Until passed.
            '-o', 'Acquire::Check-Valid-Until=false',
            # The private directories are guarded by our own flock.
            '-o', 'Debug::NoLocking=true',
        ] + (
            # As root apt would fetch as _apt, which cannot write into the
            # invoking user's cache directory.
            ['-o', 'APT::Sandbox::User=root'] if os.geteuid() == 0 else [])

    def setup(self):
        path, stanzas = machine_sources()
        text, uri = private_sources_list(stanzas)
        for d in (os.path.join(self.lists, 'partial'),
                  os.path.join(self.cache, 'archives', 'partial')):
            os.makedirs(d, exist_ok=True)
        with open(self.sources, 'w', encoding='utf-8') as f:
            f.write(text)
        log('private apt sources from %s (backports mirror: %s)' % (path, uri))

    def update(self):
        # Error-Mode=any: an index that failed to download fails the update
        # instead of leaving a warning and stale or empty lists.
        run(['apt-get', '-q', '-o', 'APT::Update::Error-Mode=any'] + self.opts() +
            ['update'], 'apt-get update (private config)', timeout=600)

    def madison(self, pkg):
        out = run(['apt-cache'] + self.opts() + ['madison', pkg], 'apt-cache madison ' + pkg)
        rows = []
        for line in out.splitlines():
            cols = [c.strip() for c in line.split('|')]
            if len(cols) >= 3 and cols[0] == pkg:
                rows.append((cols[1], cols[2]))
        return rows

    def depends_image(self, version):
        out = run(['apt-cache'] + self.opts() + ['depends', 'linux-image-amd64=' + version],
                  'apt-cache depends linux-image-amd64=' + version)
        for line in out.splitlines():
            m = re.match(r'\s*Depends:\s*(linux-image-\S+)', line)
            if m:
                return m.group(1)
        raise E2EError('linux-image-amd64=%s has no linux-image-* dependency:\n%s'
                       % (version, out))

    def download(self, pkg, dest):
        before = set(os.listdir(dest))
        run(['apt-get', '-q'] + self.opts() + ['download', pkg],
            'apt-get download ' + pkg, cwd=dest, timeout=1200)
        new = [f for f in os.listdir(dest) if f not in before and f.endswith('.deb')]
        cands = new or [f for f in os.listdir(dest)
                        if f.startswith(pkg + '_') and f.endswith('.deb')]
        if not cands:
            raise E2EError('apt-get download %s produced no .deb' % pkg)
        return sorted(cands)[-1]


# --------------------------------------------------------------------------
# Kernel cache

def cache_root():
    env = os.environ.get('LIBMSIDOM_KERNEL_CACHE')
    if env:
        return env
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'libmsidom', 'kernels')


def resolve_kernels(apt):
    rows = apt.madison('linux-image-amd64')
    if not rows:
        raise E2EError('apt-cache knows no linux-image-amd64 (private indexes empty?)')
    found = {}
    for version, source in rows:   # madison lists the newest first
        role = 'backports' if '-backports' in source else 'stable'
        if role in found or not KERNELS[role]['want'](version):
            continue
        found[role] = {'meta_version': version, 'source': source}
    for role in KERNELS:
        if role not in found:
            raise E2EError('no %s linux-image-amd64 (%s) in the apt indexes: %s'
                           % (role, KERNELS[role]['label'], rows))
        found[role]['package'] = apt.depends_image(found[role]['meta_version'])
    return found


def extract_kernel(deb_path, dest):
    """vmlinuz + the vfio modules (decompressed) out of a linux-image .deb."""
    tmp = tempfile.mkdtemp(prefix='.extract-', dir=os.path.dirname(dest))
    try:
        proc = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', deb_path],
                                stdout=subprocess.PIPE)
        tar = subprocess.run(['tar', '-x', '-C', tmp, '--wildcards',
                              './boot/vmlinuz-*', './lib/modules/*/kernel/drivers/vfio/*',
                              './lib/modules/*/kernel/virt/lib/*'],
                             stdin=proc.stdout, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, check=False)
        proc.stdout.close()
        if proc.wait() != 0 or tar.returncode != 0:
            raise E2EError('unpacking %s failed: %s' % (deb_path, tar.stdout))
        vmlinuz = [f for f in os.listdir(os.path.join(tmp, 'boot'))
                   if f.startswith('vmlinuz-')]
        releases = os.listdir(os.path.join(tmp, 'lib', 'modules'))
        if len(vmlinuz) != 1 or len(releases) != 1:
            raise E2EError('%s: unexpected layout (%s, %s)' % (deb_path, vmlinuz, releases))
        release = releases[0]
        moddir = os.path.join(tmp, 'lib', 'modules', release)
        out_mod = os.path.join(tmp, 'modules')
        os.makedirs(out_mod)
        names = []
        for rel in MODULE_ORDER:
            base = os.path.join(moddir, rel)
            name = os.path.basename(rel) + '.ko'
            if os.path.exists(base + '.ko'):
                shutil.copyfile(base + '.ko', os.path.join(out_mod, name))
            elif os.path.exists(base + '.ko.xz'):
                with open(os.path.join(out_mod, name), 'wb') as f:
                    res = subprocess.run(['xz', '-dc', base + '.ko.xz'], stdout=f,
                                         stderr=subprocess.PIPE, check=False)
                if res.returncode != 0:
                    raise E2EError('xz -dc %s.ko.xz failed: %s' % (base, res.stderr))
            elif rel in OPTIONAL_MODULES:
                continue
            else:
                raise E2EError('%s lacks module %s' % (deb_path, rel))
            names.append(name)
        shutil.move(os.path.join(tmp, 'boot', vmlinuz[0]), os.path.join(tmp, 'vmlinuz'))
        with open(os.path.join(tmp, 'info.json'), 'w', encoding='utf-8') as f:
            json.dump({'release': release, 'modules': names}, f)
        shutil.rmtree(os.path.join(tmp, 'boot'))
        shutil.rmtree(os.path.join(tmp, 'lib'))
        os.rename(tmp, dest)
        tmp = None
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def fetch_kernels():
    """Returns {role: {'dir':..., 'release':..., 'modules': [...], ...}}."""
    need_tool('apt-get', 'install apt')
    need_tool('apt-cache', 'install apt')
    need_tool('dpkg-deb', 'install dpkg')
    need_tool('tar', 'install tar')
    need_tool('xz', 'install xz-utils')
    root = cache_root()
    debs = os.path.join(root, 'debs')
    state = os.path.join(root, 'resolved.json')
    max_age = float(os.environ.get('LIBMSIDOM_KERNEL_MAX_AGE_DAYS', DEFAULT_MAX_AGE_DAYS))
    with Lock(os.path.join(root, 'lock')):
        os.makedirs(debs, exist_ok=True)
        resolved = stale = None
        if os.path.exists(state):
            with open(state, encoding='utf-8') as f:
                resolved = json.load(f)
            age = time.time() - resolved.get('time', 0)
            # Unpacking is redone below if needed; only a package needs network.
            complete = all(os.path.exists(os.path.join(debs, resolved[r].get('deb', '-')))
                           for r in KERNELS if r in resolved)
            if not complete or any(r not in resolved for r in KERNELS):
                resolved = None
            elif age > max_age * 86400:
                stale, resolved = resolved, None
            else:
                log('kernel cache %s is fresh (%.1f h old): no network' % (root, age / 3600))
        if resolved is None:
            apt = PrivateApt(os.path.join(root, 'apt'))
            apt.setup()
            log('apt-get update (private lists in %s)' % apt.lists)
            try:
                apt.update()
                resolved = resolve_kernels(apt)
            except E2EError as exc:
                if not stale:
                    raise
                # Complete packages are still a full test; only a missing
                # package is a failure.
                log('WARNING: refreshing the package indexes failed, testing the '
                    'cached kernels (%.1f days old): %s' % (age / 86400, exc))
                resolved = stale
        if 'deb' not in resolved[next(iter(KERNELS))]:
            for role, info in resolved.items():
                pkg = info['package']
                # The image package is built from the same source upload as
                # the metapackage, so it carries the same version.
                expected = '%s_%s_amd64.deb' % (pkg, info['meta_version'].replace(':', '%3a'))
                if os.path.exists(os.path.join(debs, expected)):
                    info['deb'] = expected
                    log('%s: %s already cached' % (role, expected))
                else:
                    log('%s: apt-get download %s' % (role, pkg))
                    info['deb'] = apt.download(pkg, debs)
                info['extracted'] = os.path.splitext(info['deb'])[0]
            resolved['time'] = time.time()
            # Drop packages that are no longer current.
            keep = {resolved[r]['deb'] for r in KERNELS} | \
                {resolved[r]['extracted'] for r in KERNELS}
            for f in os.listdir(debs):
                if f not in keep:
                    os.unlink(os.path.join(debs, f))
            for f in os.listdir(root):
                if f.startswith('linux-image-') and f not in keep:
                    shutil.rmtree(os.path.join(root, f), ignore_errors=True)
        for role in KERNELS:
            info = resolved[role]
            dest = os.path.join(root, info['extracted'])
            if not os.path.exists(os.path.join(dest, 'info.json')):
                log('unpacking %s' % info['deb'])
                extract_kernel(os.path.join(debs, info['deb']), dest)
            with open(os.path.join(dest, 'info.json'), encoding='utf-8') as f:
                info.update(json.load(f))
            info['dir'] = dest
        with open(state + '.tmp', 'w', encoding='utf-8') as f:
            json.dump({r: {k: v for k, v in resolved[r].items()
                           if k not in ('dir', 'release', 'modules')}
                       for r in KERNELS} | {'time': resolved['time']}, f, indent=1)
        os.replace(state + '.tmp', state)
    return resolved


# --------------------------------------------------------------------------
# Guest programs: a nested static, sanitizer-free build of the library

GUEST_PROGRAMS = [
    # (name, source, needs) -- needs: headers that must exist to build it
    ('e2e-probe', 'guest/probe.c', []),
    ('e2e-vfio', 'guest/vfio_scenarios.c', ['include/libmsidom/vfio.h']),
    ('e2e-vmm', 'guest/vmm_scenarios.c', ['include/libmsidom/vfio.h',
                                          'include/libmsidom/vmm.h']),
]


def up_to_date(out, inputs):
    """make-style check: out exists and is newer than every input."""
    if not os.path.exists(out):
        return False
    newest = max(os.path.getmtime(i) for i in inputs)
    return os.path.getmtime(out) >= newest


def build_guest(src_root, build_root, probe_only=False):
    gcc = need_tool('gcc', 'install gcc')
    meson = need_tool('meson', 'install meson')
    need_tool('ninja', 'install ninja-build')
    work = os.path.join(build_root, 'tests', 'vfio-e2e')
    static = os.path.join(work, 'static-build')
    bindir = os.path.join(work, 'guest-bin')
    lib_inputs = []
    lib_ok = not probe_only and \
        os.path.exists(os.path.join(src_root, 'include', 'libmsidom', 'vfio.h'))
    with Lock(os.path.join(work, 'static.lock')):
        env = dict(os.environ, CC='gcc')
        for var in ('CFLAGS', 'LDFLAGS', 'ASAN_OPTIONS', 'UBSAN_OPTIONS'):
            env.pop(var, None)
        built = {}
        os.makedirs(bindir, exist_ok=True)
        if lib_ok:
            opts = ['-Ddefault_library=static', '-Db_sanitize=none',
                    '-Dbuildtype=debugoptimized', '-Db_ndebug=false',
                    '-Dtests=false', '-De2e=false', '-Ddocs=disabled',
                    '-Dbaremetal=false', '-Dvfio=enabled', '-Dvmm=enabled',
                    '-Dexamples=false', '-Dwerror=false']
            stamp = os.path.join(work, 'static-build.options')
            old = None
            if os.path.exists(stamp):
                with open(stamp, encoding='utf-8') as f:
                    old = f.read()
            if old != repr(opts) or not os.path.exists(os.path.join(static, 'build.ninja')):
                log('configuring the static guest build in %s' % static)
                shutil.rmtree(static, ignore_errors=True)
                if os.path.exists(stamp):
                    os.unlink(stamp)
                run([meson, 'setup', static, src_root] + opts,
                    'meson setup (static guest build)', env=env)
                with open(stamp, 'w', encoding='utf-8') as f:
                    f.write(repr(opts))
            run(['ninja', '-C', static, 'libmsidom.a'], 'building libmsidom.a (static)',
                env=env)
            incdir = os.path.join(src_root, 'include', 'libmsidom')
            lib_inputs = [os.path.join(static, 'libmsidom.a')] + \
                [os.path.join(incdir, f) for f in os.listdir(incdir) if f.endswith('.h')]
            # Built here rather than by examples/meson.build so that an
            # unrelated example cannot break the guest build.
            exdir = os.path.join(src_root, 'examples', 'vfio-msix')
            exsrc = sorted(os.path.join(exdir, f) for f in os.listdir(exdir)
                           if f.endswith('.c')) if os.path.isdir(exdir) else []
            if exsrc:
                out = os.path.join(bindir, 'vfio-msix')
                if not up_to_date(out, exsrc + lib_inputs):
                    run([gcc, '-static', '-std=c11', '-O2', '-D_GNU_SOURCE', '-o', out] +
                        exsrc + ['-I', os.path.join(src_root, 'include'),
                                 '-I', os.path.join(static, 'include'),
                                 os.path.join(static, 'libmsidom.a'), '-lpthread'],
                        'compiling examples/vfio-msix (static)', env=env)
                built['vfio-msix'] = out
        for name, source, needs in GUEST_PROGRAMS:
            if needs and not lib_ok:
                continue
            if not all(os.path.exists(os.path.join(src_root, n)) for n in needs):
                continue
            srcfile = os.path.join(HERE, source)
            if not os.path.exists(srcfile):
                continue
            out = os.path.join(bindir, name)
            cmd = [gcc, '-static', '-std=c11', '-O2', '-Wall', '-Wextra', '-Wpedantic',
                   '-Werror', '-D_GNU_SOURCE', '-o', out, srcfile,
                   os.path.join(HERE, 'guest', 'e2e_common.c'),
                   '-I', os.path.join(HERE, 'guest')]
            if needs:
                cmd += ['-I', os.path.join(src_root, 'include'),
                        '-I', os.path.join(static, 'include'),
                        os.path.join(static, 'libmsidom.a'), '-lpthread']
            inputs = [srcfile] + [os.path.join(HERE, 'guest', f)
                                  for f in ('e2e_common.c', 'e2e_common.h')]
            if not up_to_date(out, inputs + (lib_inputs if needs else [])):
                run(cmd, 'compiling guest program %s' % name, env=env)
            built[name] = out
    return built


# --------------------------------------------------------------------------
# initramfs and boot

def build_initramfs(work, kernel, programs, plan):
    busybox = need_tool('busybox', 'install busybox-static')
    need_tool('cpio', 'install cpio')
    res = subprocess.run(['ldd', busybox], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, check=False)
    if 'not a dynamic executable' not in res.stdout and 'statically linked' not in res.stdout:
        raise E2EError('%s is dynamically linked; install busybox-static' % busybox)
    root = os.path.join(work, 'initramfs')
    shutil.rmtree(root, ignore_errors=True)
    for d in ('bin', 'sbin', 'etc/e2e', 'proc', 'sys', 'dev', 'tmp', 'lib/e2e-modules'):
        os.makedirs(os.path.join(root, d))
    shutil.copy(busybox, os.path.join(root, 'bin', 'busybox'))
    shutil.copy(os.path.join(HERE, 'init.sh'), os.path.join(root, 'init'))
    os.chmod(os.path.join(root, 'init'), 0o755)
    for name in kernel['modules']:
        shutil.copy(os.path.join(kernel['dir'], 'modules', name),
                    os.path.join(root, 'lib', 'e2e-modules', name))
    with open(os.path.join(root, 'etc', 'e2e', 'modules'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(kernel['modules']) + '\n')
    for name, path in programs.items():
        shutil.copy(path, os.path.join(root, 'bin', name))
    with open(os.path.join(root, 'etc', 'e2e', 'plan'), 'w', encoding='utf-8') as f:
        for name, cmd in plan:
            f.write('%s\t%s\n' % (name, cmd))
    image = os.path.join(work, 'initramfs.cpio')
    files = subprocess.run(['find', '.'], cwd=root, stdout=subprocess.PIPE, text=True,
                           check=True).stdout
    with open(image, 'wb') as f:
        res = subprocess.run(['cpio', '-o', '-H', 'newc', '--quiet'], cwd=root,
                             input=files.encode(), stdout=f, stderr=subprocess.PIPE,
                             check=False)
    if res.returncode != 0:
        raise E2EError('cpio failed: %s' % res.stderr.decode(errors='replace'))
    return image


def boot(work, kernel, initrd, intremap, timeout):
    qemu = need_tool('qemu-system-x86_64', 'install qemu-system-x86')
    cmd = [qemu, '-accel', 'tcg', '-machine', 'q35', '-cpu', 'max', '-m', '512',
           '-smp', '1', '-nographic', '-no-reboot', '-nic', 'none',
           '-kernel', os.path.join(kernel['dir'], 'vmlinuz'), '-initrd', initrd,
           # no_timer_check: under TCG on a loaded host the kernel's IO-APIC
           # timer check can miss ticks and panic ("timer doesn't work
           # through Interrupt-remapped IO-APIC").
           '-append', 'console=ttyS0 intel_iommu=on quiet loglevel=1 panic=-1 '
           'no_timer_check e2e.release=%s' % kernel['release'],
           '-device', 'intel-iommu,intremap=%s' % intremap,
           '-device', 'edu', '-device', 'e1000e',
           '-device', 'nvme,serial=e2e0001']
    log('booting: %s' % ' '.join(cmd))
    logpath = os.path.join(work, 'console.log')
    start = time.monotonic()
    with open(logpath, 'w', encoding='utf-8', errors='replace') as logf:
        try:
            res = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=timeout, check=False)
            out = res.stdout.decode(errors='replace')
            rc = res.returncode
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b'').decode(errors='replace')
            logf.write(out)
            print(out)
            raise E2EError('QEMU did not power off within %ds (guest hang?); '
                           'console in %s' % (timeout, logpath)) from exc
        logf.write(out)
    log('QEMU exited with %d after %.1fs; console log: %s'
        % (rc, time.monotonic() - start, logpath))
    out = out.replace('\r', '')
    # The firmware's terminal escapes may precede a marker on its line.
    out = '\n'.join(ln[ln.index(MARK):] if MARK in ln else ln for ln in out.split('\n'))
    print('----- guest console -----')
    print(out)
    print('----- end of guest console -----', flush=True)
    if rc != 0:
        raise E2EError('QEMU exited with status %d' % rc)
    return out


def check_results(out, kernel, plan):
    """Every planned scenario must have run and exited 0."""
    failures = []
    m = re.search(r'^%s UNAME (\S+)' % MARK, out, re.M)
    if not m:
        failures.append('the guest never reported its kernel (no "%s UNAME" line)' % MARK)
    elif m.group(1) != kernel['release']:
        failures.append('guest runs %s, expected %s' % (m.group(1), kernel['release']))
    else:
        log('guest kernel: uname -r = %s' % m.group(1))
    if not re.search(r'^%s SETUP ok' % MARK, out, re.M):
        m = re.search(r'^%s SETUP (.*)$' % MARK, out, re.M)
        failures.append('guest setup failed: %s' % (m.group(1) if m else 'no report'))
    results = {}
    times = {}
    for m in re.finditer(r'^%s END (\S+) rc=(\d+)(?: t0=([\d.]+) t1=([\d.]+))?' % MARK,
                         out, re.M):
        results[m.group(1)] = int(m.group(2))
        if m.group(3):
            times[m.group(1)] = float(m.group(4)) - float(m.group(3))
    for name, _ in plan:
        took = ' (%.1fs in the guest)' % times[name] if name in times else ''
        if name not in results:
            failures.append('scenario %s: no result (guest crashed or hung?)' % name)
        elif results[name] != 0:
            failures.append('scenario %s: FAILED (exit %d)%s' % (name, results[name], took))
        else:
            log('scenario %s: passed%s' % (name, took))
    fails = re.findall(r'^%s CHECK FAIL (.*)$' % MARK, out, re.M)
    for f in fails:
        failures.append('check failed: %s' % f)
    if not re.search(r'^%s DONE' % MARK, out, re.M):
        failures.append('the guest did not reach the end of its plan')
    return failures


def make_plan(role, intremap, programs):
    """Scenario list: (name, shell command run by the guest /init)."""
    dyn = 'dynamic' if role == 'backports' else 'noresize'
    plan = []
    if intremap == 'off':
        plan.append(('probe-isolation', 'e2e-probe isolation "$EDU_BDF"'))
        if 'e2e-vfio' in programs:
            plan.append(('lib-isolation', 'e2e-vfio isolation %s' % dyn))
        return plan
    plan.append(('probe-edu-msi', 'e2e-probe edu "$EDU_BDF"'))
    plan.append(('probe-e1000e-msix', 'e2e-probe e1000e "$E1000E_BDF" %s' % dyn))
    if 'e2e-vfio' in programs:
        for scen in ('edu-msi', 'e1000e-routing', 'mask-replay', 'batch', 'batch-reuse'):
            plan.append(('lib-' + scen, 'e2e-vfio %s %s' % (scen, dyn)))
        if role == 'backports':
            plan.append(('lib-dynamic-add', 'e2e-vfio dynamic-add %s' % dyn))
        else:
            plan.append(('lib-grow-no-loss', 'e2e-vfio grow-no-loss %s' % dyn))
            plan.append(('lib-prealloc', 'e2e-vfio prealloc %s' % dyn))
    if 'vfio-msix' in programs:
        # The example with loopback triggers: every enabled vector must
        # print at least one interrupt before the count is reached.
        for dev, nvec in (('E1000E_BDF', 5), ('NVME_BDF', 16)):
            plan.append(('example-vfio-msix-%s' % dev.split('_')[0].lower(),
                         'vfio-msix -n %d -c %d -t 20000 -l "$%s" >/tmp/ex.out 2>&1; '
                         'rc=$?; cat /tmp/ex.out; [ "$rc" = 0 ] || exit "$rc"; '
                         'for i in $(seq 0 %d); do grep -q "^irq: vector $i " /tmp/ex.out '
                         '|| { echo "vector $i never printed"; exit 1; }; done'
                         % (nvec, nvec, dev, nvec - 1)))
    if 'e2e-vmm' in programs:
        plan.append(('vmm-guest-table', 'e2e-vmm guest-table %s' % dyn))
    return plan


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--source-root', required=True)
    ap.add_argument('--build-root', required=True)
    ap.add_argument('--kernel', choices=['6.1', '6.12'], required=True)
    ap.add_argument('--intremap', choices=['on', 'off'], default='on')
    ap.add_argument('--qemu-timeout', type=int, default=180)
    ap.add_argument('--fetch-only', action='store_true',
                    help='only download/unpack the kernels into the cache')
    ap.add_argument('--debug', action='store_true',
                    help='library debug log lines in the guest (E2E_DEBUG=1)')
    ap.add_argument('--only', metavar='SCENARIO',
                    help='run only the plan entries whose name contains this')
    ap.add_argument('--probe-only', action='store_true',
                    help='boot with the raw-VFIO probe only (no library build)')
    args = ap.parse_args()
    role = 'stable' if args.kernel == '6.1' else 'backports'
    name = 'vfio-e2e-%s%s' % (args.kernel, '' if args.intremap == 'on' else '-intremap-off')
    try:
        kernels = fetch_kernels()
        kernel = kernels[role]
        log('%s kernel: %s (%s, release %s)' % (args.kernel, kernel['package'],
                                                  kernel['meta_version'], kernel['release']))
        if args.fetch_only:
            return 0
        programs = build_guest(os.path.abspath(args.source_root),
                               os.path.abspath(args.build_root), args.probe_only)
        log('guest programs: %s' % ', '.join(sorted(programs)))
        if not args.probe_only:
            for prog, why in (('e2e-vfio', 'include/libmsidom/vfio.h'),
                              ('e2e-vmm', 'include/libmsidom/vmm.h')):
                if prog not in programs:
                    raise E2EError('guest program %s was not built: %s or its '
                                   'scenario source is missing' % (prog, why))
        if 'vfio-msix' not in programs:
            log('examples/vfio-msix does not exist yet: not run')
        work = os.path.join(os.path.abspath(args.build_root), 'tests', 'vfio-e2e', name)
        os.makedirs(work, exist_ok=True)
        plan = make_plan(role, args.intremap, programs)
        if args.only:
            plan = [p for p in plan if args.only in p[0]]
        if args.debug:
            plan = [(n, 'E2E_DEBUG=1 ' + c) for n, c in plan]
        initrd = build_initramfs(work, kernel, programs, plan)
        out = boot(work, kernel, initrd, args.intremap, args.qemu_timeout)
        if '%s UNAME' % MARK not in out:
            # The kernel died before /init ran: an emulation hiccup, not a
            # result.  One more boot; scenario failures are never retried.
            log('the guest kernel never reached /init; booting once more')
            out = boot(work, kernel, initrd, args.intremap, args.qemu_timeout)
        failures = check_results(out, kernel, plan)
        if failures:
            for f in failures:
                log('FAIL: %s' % f)
            return 1
        log('PASS: %d scenarios on %s (intremap=%s) in %.1fs'
            % (len(plan), kernel['release'], args.intremap, time.monotonic() - T0))
        return 0
    except E2EError as exc:
        log('FAIL: %s' % exc)
        return 1


if __name__ == '__main__':
    sys.exit(main())
