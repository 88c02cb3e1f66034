package dev.jlightning.strategy;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs code on global rank 0 only, for the things one process of a job should do once: printing, writing a file,
 * downloading data.
 *
 * <p>Counterpart of Lightning's {@code rank_zero_only} decorator. The rank is the Trainer's once a distributed
 * strategy is set up; before that it is read, as Lightning does, from the first of {@code RANK}, {@code LOCAL_RANK},
 * {@code SLURM_PROCID}, {@code JSM_NAMESPACE_RANK} that is set, else 0.
 */
public final class RankZero {

    private static volatile int rank = rankFromEnvironment(System.getenv());

    private RankZero() {
    }

    static int rankFromEnvironment(Map<String, String> env) {
        for (String key : new String[] {"RANK", "LOCAL_RANK", "SLURM_PROCID", "JSM_NAMESPACE_RANK"}) {
            String v = env.get(key);
            if (v != null) {
                try {
                    return Integer.parseInt(v.trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** This process's global rank as far as it is known. Lightning: {@code rank_zero_only.rank}. */
    public static int rank() {
        return rank;
    }

    public static boolean isRankZero() {
        return rank == 0;
    }

    /** Runs {@code action} on rank 0; does nothing elsewhere. */
    public static void only(Runnable action) {
        if (rank == 0) {
            action.run();
        }
    }

    /** {@code action}'s result on rank 0; empty elsewhere. */
    public static <T> Optional<T> only(Supplier<T> action) {
        return rank == 0 ? Optional.ofNullable(action.get()) : Optional.empty();
    }

    static void setRank(int globalRank) {
        rank = globalRank;
    }
}
