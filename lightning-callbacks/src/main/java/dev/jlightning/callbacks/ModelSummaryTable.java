package dev.jlightning.callbacks;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.StringSharedModuleDictItem;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * The summary of a module's layers: one {@link LayerSummary} per submodule down to a depth, the parameter totals and
 * the estimated size, and Lightning's text table ({@link #toString()}).
 *
 * <p>Counterpart of Lightning's {@code lightning.pytorch.utilities.model_summary.ModelSummary} (what
 * {@code summarize(model, max_depth)} returns). {@code maxDepth} 1 lists the direct children, -1 every descendant,
 * 0 none; deeper entries than {@code maxDepth} are dropped, and parameters that belong to no listed layer show as an
 * {@code other params} row. The size is 4 bytes per parameter (float32), in MB of 10^6 bytes. The table has
 * Lightning's columns up to {@code Mode}; the {@code FLOPs}, {@code In sizes} and {@code Out sizes} columns of
 * Lightning need forward hooks, which LibTorch does not offer for Java modules, so they are left out.
 */
public final class ModelSummaryTable {

    private static final String[] UNITS = {" ", "K", "M", "B", "T"};
    private static final double[] SHIFTS = {1, 1e-3, 1e-6, 1e-9, 1e-12};
    /** Lightning's 32-bit precision: (32 / 8.0) * 1e-6 MB per parameter. */
    private static final double PRECISION_MEGABYTES = (32 / 8.0) * 1e-6;

    private final List<LayerSummary> layers;
    private final long totalParameters;
    private final long trainableParameters;
    private final int modulesInTrainMode;
    private final int modulesInEvalMode;

    private ModelSummaryTable(List<LayerSummary> layers, long total, long trainable, int train, int eval) {
        this.layers = List.copyOf(layers);
        this.totalParameters = total;
        this.trainableParameters = trainable;
        this.modulesInTrainMode = train;
        this.modulesInEvalMode = eval;
    }

    /**
     * Summarizes {@code model}. Lightning: {@code summarize(lightning_module, max_depth)}.
     *
     * @param maxDepth -1 (all), 0 (no layers) or a positive depth
     * @throws IllegalArgumentException for a depth below -1
     */
    @SuppressWarnings("try") // the PointerScope frees the intermediate tensors; it is not used by name
    public static ModelSummaryTable of(Module model, int maxDepth) {
        if (maxDepth < -1) {
            throw new IllegalArgumentException("`max_depth` can be -1, 0 or > 0, got " + maxDepth + ".");
        }
        try (PointerScope scope = new PointerScope()) {
            Map<Long, Module> javaModules = new HashMap<>();
            collectJavaModules(model, javaModules, new IdentityHashMap<>());
            List<LayerSummary> layers = new ArrayList<>();
            int train = 0;
            int eval = 0;
            StringSharedModuleDict all = model.named_modules("", false);
            for (long i = 0; i < all.size(); i++) {
                StringSharedModuleDictItem item = all.get(i);
                String name = item.key().getString();
                Module m = item.value();
                if (m.is_training()) {
                    train++;
                } else {
                    eval++;
                }
                boolean listed = maxDepth == -1 || maxDepth >= 1 && depth(name) < maxDepth;
                if (listed) {
                    long[] counts = count(m);
                    layers.add(new LayerSummary(name, typeName(m, javaModules), counts[0], counts[1],
                            m.is_training()));
                }
            }
            long[] totals = count(model);
            return new ModelSummaryTable(layers, totals[0], totals[1], train, eval);
        }
    }

    /** Dots in the name: 0 for a direct child, as Lightning counts them. */
    private static int depth(String name) {
        int dots = 0;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '.') {
                dots++;
            }
        }
        return dots;
    }

    /** {total, trainable} parameter elements of {@code m} and its descendants. */
    private static long[] count(Module m) {
        long total = 0;
        long trainable = 0;
        TensorVector params = m.parameters(true);
        for (long i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            total += p.numel();
            if (p.requires_grad()) {
                trainable += p.numel();
            }
        }
        return new long[] {total, trainable};
    }

    /**
     * LibTorch hands children back as plain {@code Module} wrappers; the Java objects behind them (and so their
     * class names) are found through the fields that hold them, matched by native address.
     */
    private static void collectJavaModules(Module m, Map<Long, Module> out, Map<Module, Boolean> seen) {
        if (seen.put(m, Boolean.TRUE) != null) {
            return;
        }
        for (Class<?> c = m.getClass(); c != null && c != Module.class && !isBytedeco(c); c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || !Module.class.isAssignableFrom(f.getType())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    Object v = f.get(m);
                    if (v instanceof Module child && !child.isNull()) {
                        out.putIfAbsent(child.address(), child);
                        collectJavaModules(child, out, seen);
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // a field we may not read only costs the nicer type name
                }
            }
        }
    }

    private static boolean isBytedeco(Class<?> c) {
        return c.getName().startsWith("org.bytedeco.");
    }

    private static final Set<String> NATIVE_PREFIXES = Set.of("torch::nn::", "torch::");

    /** Python's {@code module.__class__.__name__}: {@code Linear} for {@code LinearImpl}. */
    private static String typeName(Module m, Map<Long, Module> javaModules) {
        Module java = javaModules.get(m.address());
        if (java != null && java.getClass() != Module.class) {
            String simple = java.getClass().getSimpleName();
            if (simple.isEmpty()) {
                simple = java.getClass().getSuperclass().getSimpleName();
            }
            return isBytedeco(java.getClass()) ? stripImpl(simple) : simple;
        }
        String nativeName = m.name().getString();
        if (nativeName.startsWith("JavaCPP_")) {
            return "Module";
        }
        for (String prefix : NATIVE_PREFIXES) {
            if (nativeName.startsWith(prefix)) {
                nativeName = nativeName.substring(prefix.length());
                break;
            }
        }
        return stripImpl(nativeName);
    }

    private static String stripImpl(String name) {
        return name.endsWith("Impl") && name.length() > 4 ? name.substring(0, name.length() - 4) : name;
    }

    // ---------------------------------------------------------------- values

    /** The listed layers, in {@code named_modules} order. */
    public List<LayerSummary> layers() {
        return layers;
    }

    public long totalParameters() {
        return totalParameters;
    }

    public long trainableParameters() {
        return trainableParameters;
    }

    public long nonTrainableParameters() {
        return totalParameters - trainableParameters;
    }

    /** Parameters times 4 bytes, in MB (10^6 bytes). Lightning: {@code model_size}. */
    public double modelSizeMb() {
        return totalParameters * PRECISION_MEGABYTES;
    }

    /** Descendant modules (the root excluded) in train mode. */
    public int modulesInTrainMode() {
        return modulesInTrainMode;
    }

    /** Descendant modules (the root excluded) in eval mode. */
    public int modulesInEvalMode() {
        return modulesInEvalMode;
    }

    // ---------------------------------------------------------------- text

    /** Lightning's {@code get_human_readable_count}: {@code 123  }, {@code 1.2 K}, {@code 2.0 M}, {@code 400 T}. */
    public static String humanReadableCount(long number) {
        if (number < 0) {
            throw new IllegalArgumentException("a parameter count must be >= 0, got " + number);
        }
        int numDigits = number > 0 ? (int) Math.floor(Math.log10(number)) + 1 : 1;
        int numGroups = Math.min((numDigits + 2) / 3, UNITS.length);
        int index = numGroups - 1;
        double scaled = number * SHIFTS[index];
        if (index < 1 || scaled >= 100) {
            return PyText.grouped((long) scaled) + " " + UNITS[index];
        }
        return PyText.fixedGrouped(scaled, 1) + " " + UNITS[index];
    }

    /** Lightning's table: the layer rows, then the totals. */
    @Override
    public String toString() {
        List<String> idx = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> params = new ArrayList<>();
        List<String> modes = new ArrayList<>();
        long layerParams = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerSummary l = layers.get(i);
            idx.add(Integer.toString(i));
            names.add(l.name());
            types.add(l.type());
            params.add(humanReadableCount(l.parameters()));
            modes.add(l.training() ? "train" : "eval");
            layerParams += l.parameters();
        }
        long leftover = totalParameters - layerParams;
        if (leftover > 0) {
            idx.add(" ");
            names.add("other params");
            types.add("n/a");
            params.add(humanReadableCount(leftover));
            modes.add("n/a");
        }
        List<String> headers = List.of(" ", "Name", "Type", "Params", "Mode");
        List<List<String>> cols = List.of(idx, names, types, params, modes);
        int[] widths = new int[cols.size()];
        int totalWidth = 0;
        for (int c = 0; c < cols.size(); c++) {
            int w = headers.get(c).length();
            for (String v : cols.get(c)) {
                w = Math.max(w, v.length());
            }
            widths[c] = w;
            totalWidth += w;
        }
        // Lightning counts one column more than there is when sizing the rule
        totalWidth += 3 * (1 + cols.size());
        StringBuilder sb = new StringBuilder();
        appendRow(sb, headers, widths);
        sb.append('\n').append("-".repeat(totalWidth));
        for (int r = 0; r < idx.size(); r++) {
            List<String> row = new ArrayList<>();
            for (List<String> col : cols) {
                row.add(col.get(r));
            }
            sb.append('\n');
            appendRow(sb, row, widths);
        }
        sb.append('\n').append("-".repeat(totalWidth));
        total(sb, humanReadableCount(trainableParameters), "Trainable params");
        total(sb, humanReadableCount(nonTrainableParameters()), "Non-trainable params");
        total(sb, humanReadableCount(totalParameters), "Total params");
        total(sb, PyText.fixedGrouped(modelSizeMb(), 3), "Total estimated model params size (MB)");
        total(sb, Integer.toString(modulesInTrainMode), "Modules in train mode");
        total(sb, Integer.toString(modulesInEvalMode), "Modules in eval mode");
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                sb.append(" | ");
            }
            sb.append(pad(cells.get(c), widths[c]));
        }
    }

    private static void total(StringBuilder sb, String value, String label) {
        sb.append('\n').append(pad(value, 10)).append(label);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
