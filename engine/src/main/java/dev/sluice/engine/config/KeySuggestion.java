package dev.sluice.engine.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known key an unknown key was most likely meant to be (a typo, or camelCase for snake_case). */
final class KeySuggestion {

    private KeySuggestion() {}

    /** The closest known key, if one is close enough to be a plausible intent. */
    static Optional<String> closest(String unknown, Collection<String> known) {
        String folded = fold(unknown);
        for (String candidate : known) {
            if (fold(candidate).equals(folded)) {
                return Optional.of(candidate);
            }
        }
        int allowed = Math.max(1, Math.min(3, unknown.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(unknown.toLowerCase(Locale.ROOT), candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Lower case without separators, so that {@code oneFileSystem} and {@code one-file-system} match. */
    private static String fold(String key) {
        return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Edit distance counting insertions, deletions, substitutions and swaps of neighbours as one step each. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
