package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;

/** PyTorch's handling of {@code lr_lambda}: one function for every group, or a list with one per group. */
final class LrLambdas {
    private LrLambdas() {
    }

    static List<IntToDoubleFunction> forAllGroups(IntToDoubleFunction lambda, int groups) {
        Objects.requireNonNull(lambda, "lr_lambda");
        return Collections.nCopies(groups, lambda);
    }

    static List<IntToDoubleFunction> perGroup(String owner, List<? extends IntToDoubleFunction> lambdas, int groups) {
        Objects.requireNonNull(lambdas, "lr_lambda");
        if (lambdas.size() != groups) {
            throw new IllegalArgumentException(owner + ": lr_lambda has " + lambdas.size() + " functions, which is"
                    + " invalid: Expected " + groups + " lr_lambdas, but got " + lambdas.size()
                    + " (one per param group, or a single function for all)");
        }
        List<IntToDoubleFunction> copy = new ArrayList<>(lambdas.size());
        for (IntToDoubleFunction f : lambdas) {
            copy.add(Objects.requireNonNull(f, "lr_lambda"));
        }
        return Collections.unmodifiableList(copy);
    }

    /** PyTorch's state-dict entry: {@code None} for each plain function, which cannot be serialised. */
    static List<Object> stateEntry(List<IntToDoubleFunction> lambdas) {
        return new ArrayList<>(Collections.nCopies(lambdas.size(), null));
    }
}
