package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.engine.scan.Walker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Test support: mirrors a local tree into a {@link MirrorTarget} straight from a {@link Walker} scan, no wire. */
final class MirrorDriver {

    private MirrorDriver() {
    }

    /** Sends every entry below {@code source} (the root as the empty path), keeping files whose size and mtime match. */
    static MirrorTargetStats mirror(Path source, MirrorTarget target) throws IOException {
        byte[] rootBytes = RawPath.bytes(source.toAbsolutePath().normalize());
        try (Walker w = new Walker(List.of(source), ScanRules.all())) {
            while (w.hasNext()) {
                ScanEntry e = w.next();
                if (e.problem() != null) {
                    throw new IOException("scan problem: " + e.problem());
                }
                byte[] rel = relative(rootBytes, e.path());
                var meta = e.meta();
                switch (meta.kind()) {
                    case DIRECTORY -> target.directory(rel, meta);
                    case SYMLINK -> target.symlink(rel, meta.linkTarget(), meta);
                    case REGULAR -> {
                        if (e.hardlinkTo() != null) {
                            target.hardlink(rel, relative(rootBytes, e.hardlinkTo()));
                            continue;
                        }
                        Optional<MirrorTarget.Basis> basis = target.basis(rel);
                        boolean same = basis.isPresent() && basis.get().meta().size() == meta.size()
                                && basis.get().meta().mtimeNanos() == meta.mtimeNanos();
                        basis.ifPresent(MirrorTarget.Basis::close);
                        if (same) {
                            target.keep(rel, meta);
                        } else {
                            send(e.file(), target.file(rel, meta));
                        }
                    }
                    default -> target.special(rel, meta);
                }
            }
        }
        return target.finish();
    }

    static void send(Path file, MirrorTarget.FileWriter writer) throws IOException {
        try (writer; FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (in.read(buf) > 0) {
                buf.flip();
                writer.write(buf);
                buf.clear();
            }
            writer.commit();
        }
    }

    static byte[] relative(byte[] root, byte[] path) {
        if (Arrays.equals(root, path)) {
            return new byte[0];
        }
        return Arrays.copyOfRange(path, root.length + 1, path.length);
    }

    static boolean isSpecial(FileKind k) {
        return k.isSpecial();
    }
}
