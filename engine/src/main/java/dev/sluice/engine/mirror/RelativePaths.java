package dev.sluice.engine.mirror;

import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.scan.ScanEntry;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the scan's absolute paths into the receiver's relative ones: a single root that is a directory maps to
 * the target itself (the root is the empty path, its entries become {@code a/b}); otherwise each root appears under its file name.
 */
final class RelativePaths {
    private final List<byte[]> roots = new ArrayList<>();
    private final List<byte[]> prefixes = new ArrayList<>();
    private final boolean contentsOnly;

    RelativePaths(List<Path> roots) {
        List<Path> normalized = roots.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        this.contentsOnly = normalized.size() == 1 && Files.isDirectory(normalized.get(0), LinkOption.NOFOLLOW_LINKS);
        for (Path r : normalized) {
            this.roots.add(RawPath.bytes(r));
            Path name = r.getFileName();
            this.prefixes.add(name == null ? new byte[0] : RawPath.bytes(name));
        }
        if (!contentsOnly) {
            for (int i = 0; i < prefixes.size(); i++) {
                for (int j = i + 1; j < prefixes.size(); j++) {
                    if (Arrays.equals(prefixes.get(i), prefixes.get(j))) {
                        throw new IllegalArgumentException("mirror roots " + normalized.get(i) + " and "
                                + normalized.get(j) + " have the same name; the receiver could not tell them apart");
                    }
                }
                if (prefixes.get(i).length == 0) {
                    throw new IllegalArgumentException("the root directory / can only be mirrored as the only root");
                }
            }
        }
    }

    /** The receiver's path of an entry; the empty path is the target's top directory (a single directory root). */
    byte[] relative(ScanEntry e) {
        return relative(e.path());
    }

    byte[] relative(byte[] abs) {
        for (int i = 0; i < roots.size(); i++) {
            byte[] root = roots.get(i);
            int rest = below(root, abs);
            if (rest < 0) {
                continue;
            }
            if (contentsOnly) {
                return rest >= abs.length ? new byte[0] : Arrays.copyOfRange(abs, rest, abs.length);
            }
            byte[] prefix = prefixes.get(i);
            if (rest >= abs.length) {
                return prefix.clone();
            }
            byte[] out = new byte[prefix.length + 1 + abs.length - rest];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            out[prefix.length] = '/';
            System.arraycopy(abs, rest, out, prefix.length + 1, abs.length - rest);
            return out;
        }
        throw new IllegalStateException("scanned path " + RawPath.escape(abs) + " is under none of the roots");
    }

    /** Where the part of {@code abs} below {@code root} starts (abs.length for the root itself), or -1. */
    private static int below(byte[] root, byte[] abs) {
        if (Arrays.equals(root, abs)) {
            return abs.length;
        }
        if (root.length == 1 && root[0] == '/') {
            return abs.length > 1 && abs[0] == '/' ? 1 : -1;
        }
        boolean under = abs.length > root.length + 1 && abs[root.length] == '/'
                && Arrays.mismatch(root, 0, root.length, abs, 0, root.length) == -1;
        return under ? root.length + 1 : -1;
    }
}
