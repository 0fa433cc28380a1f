package dev.sluice.engine.scan;

import dev.sluice.engine.fs.RawPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: walks the roots given as arguments and prints one line per entry (escaped path,
 * then the kind or the problem kind), so tests can run a walk as another user in a child JVM.
 */
public final class WalkerMain {

    private WalkerMain() {
    }

    public static void main(String[] args) {
        List<Path> roots = new ArrayList<>();
        for (String a : args) {
            roots.add(Path.of(a));
        }
        try (Walker w = new Walker(roots, ScanRules.all())) {
            while (w.hasNext()) {
                ScanEntry e = w.next();
                System.out.println(RawPath.escape(e.path()) + " "
                        + (e.problem() != null ? e.problem().kind() : e.meta().kind()));
            }
        }
    }
}
