package dev.jlightning.core.internal;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/**
 * "Did you mean ...?" for misspelled configuration keys and names. Not part of the public API.
 */
public final class Suggestions {

    private Suggestions() {
    }

    /** The candidate closest to {@code given} by edit distance, if it is close enough to be a plausible typo. */
    public static Optional<String> closest(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : new TreeSet<>(candidates)) {
            int d = distance(given.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        int tolerance = Math.max(2, Math.min(given.length(), best.length()) / 3);
        return bestDistance <= tolerance ? Optional.of(best) : Optional.empty();
    }

    /** " Did you mean 'x'?" or the empty string. */
    public static String didYouMean(String given, Collection<String> candidates) {
        return closest(given, candidates).map(c -> " Did you mean '" + c + "'?").orElse("");
    }

    /** Damerau-Levenshtein (optimal string alignment) distance, so swapped letters count once. */
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
