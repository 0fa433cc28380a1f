package dev.sluice.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line for the comparison script: generates the data set or applies the change set.
 *
 * <p>Usage: {@code CompareDataSet generate|change DIR (--tiny | --scale F)}. {@code change} prints
 * {@code ideal-bytes N}, {@code rewritten N}, {@code added N} and {@code deleted N}, one per line.
 */
public final class CompareDataSet {

    private CompareDataSet() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("Usage: CompareDataSet generate|change DIR (--tiny | --scale F)");
        }
        DataSetSpec spec = DataSetSpec.scaled(1);
        for (int i = 2; i < args.length; i++) {
            if ("--tiny".equals(args[i])) {
                spec = DataSetSpec.tiny();
            } else if ("--scale".equals(args[i]) && i + 1 < args.length) {
                spec = DataSetSpec.scaled(Double.parseDouble(args[++i]));
            } else {
                throw new IllegalArgumentException("Unknown argument '" + args[i] + "'; expected --tiny or --scale F.");
            }
        }
        Path root = Path.of(args[1]);
        DataSetWriter writer = new DataSetWriter(spec);
        switch (args[0]) {
            case "generate":
                writer.generate(root);
                System.out.printf(Locale.ROOT, "large-files %d%nlarge-file-bytes %d%nsmall-files %d%n",
                        spec.largeFiles(), spec.largeFileBytes(), spec.smallFiles());
                break;
            case "change":
                ChangeSummary summary = writer.applyChanges(root);
                System.out.printf(Locale.ROOT, "ideal-bytes %d%nrewritten %d%nadded %d%ndeleted %d%n",
                        summary.idealBytes(), summary.rewritten(), summary.added(), summary.deleted());
                break;
            default:
                throw new IllegalArgumentException("Unknown command '" + args[0] + "'; expected generate or change.");
        }
    }
}
