package dev.jlightning.cli;

import dev.jlightning.core.internal.Suggestions;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a {@code class_path} + {@code init_args} section into an object, as jsonargparse does for Lightning's
 * {@code LightningCLI}: resolves the class (a short name for JLightning's own callbacks and loggers, else a fully
 * qualified name), checks it is a subclass of what the section expects, and binds {@code init_args} by name.
 *
 * <p>Binding, in this order of preference:
 * <ol>
 * <li>JLightning's callbacks and loggers: their builders, each key calling the builder option of the same name in
 *     camelCase ({@code every_n_train_steps} -> {@code everyNTrainSteps}); the builder's own arguments by their
 *     Lightning names ({@code EarlyStopping}: {@code monitor}; {@code CSVLogger}, {@code TensorBoardLogger}:
 *     {@code save_dir}).</li>
 * <li>A public constructor taking one record: the record's components are the arguments, and a public static
 *     {@code defaults()} method on the record, if there is one, gives their defaults (Java has no default
 *     arguments).</li>
 * <li>A public constructor compiled with {@code javac -parameters}: its parameter names are the arguments, all
 *     required (the one with most parameters is used).</li>
 * <li>Another class with a public static no-argument {@code builder()}: as for JLightning's classes.</li>
 * </ol>
 */
final class Components {

    /** A class known by its short name; its builder's (or constructor's) positional arguments by Lightning name. */
    private record Known(String className, boolean builder, List<String> positional) {
    }

    private static final Map<String, Known> SHORT = known();
    private static final List<String> LIGHTNING_PREFIXES = List.of("lightning.pytorch.callbacks.",
            "lightning.pytorch.loggers.", "pytorch_lightning.callbacks.", "pytorch_lightning.loggers.",
            "lightning.pytorch.cli.");

    private Components() {
    }

    private static Map<String, Known> known() {
        Map<String, Known> m = new LinkedHashMap<>();
        m.put("LearningRateMonitor", new Known("dev.jlightning.callbacks.LearningRateMonitor", true, List.of()));
        m.put("ModelCheckpoint", new Known("dev.jlightning.callbacks.ModelCheckpoint", true, List.of()));
        m.put("EarlyStopping", new Known("dev.jlightning.callbacks.EarlyStopping", true, List.of("monitor")));
        m.put("ProgressBar", new Known("dev.jlightning.callbacks.ProgressBar", true, List.of()));
        m.put("ModelSummary", new Known("dev.jlightning.callbacks.ModelSummary", false, List.of("max_depth")));
        m.put("CSVLogger", new Known("dev.jlightning.logging.CSVLogger", true, List.of("save_dir")));
        m.put("TensorBoardLogger", new Known("dev.jlightning.logging.TensorBoardLogger", true, List.of("save_dir")));
        return m;
    }

    /** One argument of a bound class: name, Java type, default (null when none is known), whether required. */
    record Param(String name, Type type, Object defaultValue, boolean required) {
    }

    /** How one class is built from its init_args. */
    private interface Binding {
        List<Param> params();

        /** Whether print_config can list every argument with its default (record binding). */
        boolean hasDefaults();

        Object create(String path, Map<String, Object> initArgs) throws ReflectiveOperationException;
    }

    /** The objects of a list section ({@code trainer.callbacks}): one mapping, a list of them, or a class name. */
    static <T> List<T> instantiateList(String path, Object value, Class<T> expected) {
        List<T> out = new ArrayList<>();
        if (value instanceof List) {
            int i = 0;
            for (Object item : (List<?>) value) {
                out.add(instantiate(path + "[" + i++ + "]", item, expected));
            }
        } else {
            out.add(instantiate(path, value, expected));
        }
        return out;
    }

    /** The object a {@code class_path}/{@code init_args} section (or a bare class name) describes. */
    static <T> T instantiate(String path, Object section, Class<T> expected) {
        Map<String, Object> s = section(path, section);
        Class<?> type = resolve(path, s.get("class_path"), expected);
        Binding binding = binding(path, type);
        Map<String, Object> initArgs = initArgs(path, s);
        checkArgs(path, binding, initArgs);
        try {
            return expected.cast(binding.create(path, initArgs));
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CliConfigException) {
                throw (CliConfigException) cause;
            }
            if (cause instanceof IllegalArgumentException) {
                throw new CliConfigException(path + ": " + type.getSimpleName() + ": " + cause.getMessage(), cause);
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(path + ": " + type.getName() + " failed to build", cause);
        } catch (ReflectiveOperationException e) {
            throw new CliConfigException(path + ": cannot build " + type.getName() + ": " + e, e);
        }
    }

    /**
     * The section as print_config shows it: the fully qualified {@code class_path} and every argument, defaults
     * included where the binding knows them; the values checked (unknown keys, types) without building anything.
     */
    static Map<String, Object> resolved(String path, Object section, Class<?> expected) {
        Map<String, Object> s = section(path, section);
        Class<?> type = resolve(path, s.get("class_path"), expected);
        Binding binding = binding(path, type);
        Map<String, Object> given = initArgs(path, s);
        checkArgs(path, binding, given);
        Map<String, Object> args = new LinkedHashMap<>();
        for (Param p : binding.params()) {
            if (given.containsKey(p.name())) {
                args.put(p.name(), given.get(p.name()));
            } else if (binding.hasDefaults()) {
                args.put(p.name(), p.defaultValue());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("class_path", type.getName());
        out.put("init_args", args);
        return out;
    }

    /** The arguments of the class a section names, for --help. */
    static List<Param> params(String path, Object section, Class<?> expected) {
        Map<String, Object> s = section(path, section);
        return binding(path, resolve(path, s.get("class_path"), expected)).params();
    }

    private static Map<String, Object> section(String path, Object section) {
        if (section instanceof String) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("class_path", section);
            return s;
        }
        if (!(section instanceof Map)) {
            throw new CliConfigException(path + ": expected a class name or a mapping with class_path and init_args,"
                    + " got " + Types.show(section));
        }
        Map<String, Object> s = ConfigMaps.asMap(section);
        for (String key : s.keySet()) {
            if (!"class_path".equals(key) && !"init_args".equals(key)) {
                throw new CliConfigException(path + "." + key + ": unknown key;"
                        + Suggestions.didYouMean(key, List.of("class_path", "init_args"))
                        + " Accepted: class_path, init_args");
            }
        }
        if (!s.containsKey("class_path")) {
            throw new CliConfigException(path + ".class_path: missing; give the class to build (" + path
                    + ": {class_path: ..., init_args: {...}})");
        }
        return s;
    }

    private static Map<String, Object> initArgs(String path, Map<String, Object> s) {
        Object args = s.get("init_args");
        if (args == null) {
            return new LinkedHashMap<>();
        }
        if (!(args instanceof Map)) {
            throw new CliConfigException(path + ".init_args: expected a mapping of argument names to values, got "
                    + Types.show(args));
        }
        return ConfigMaps.asMap(args);
    }

    /**
     * The class a {@code class_path} names.
     *
     * @throws CliConfigException when it is not found, abstract, or not a subclass of {@code expected}
     */
    static Class<?> resolve(String path, Object classPath, Class<?> expected) {
        if (!(classPath instanceof String) || ((String) classPath).isBlank()) {
            throw new CliConfigException(path + ".class_path: expected a class name, got " + Types.show(classPath));
        }
        String given = (String) classPath;
        String name = given;
        for (String prefix : LIGHTNING_PREFIXES) {
            if (given.startsWith(prefix) && SHORT.containsKey(given.substring(prefix.length()))) {
                name = given.substring(prefix.length());
            }
        }
        if (SHORT.containsKey(name)) {
            name = SHORT.get(name).className();
        }
        Class<?> type;
        try {
            type = Class.forName(name, false, loader());
        } catch (ClassNotFoundException | LinkageError e) {
            String hint = name.contains(".") ? "" : Suggestions.didYouMean(name, SHORT.keySet());
            throw new CliConfigException(path + ".class_path: class '" + given + "' not found." + hint
                    + " Give a fully qualified class name on the class path, or one of JLightning's: "
                    + String.join(", ", SHORT.keySet()), e);
        }
        if (!expected.isAssignableFrom(type)) {
            throw new CliConfigException(path + ".class_path: '" + given + "' (" + type.getName()
                    + ") is not a subclass of " + expected.getName());
        }
        if (Modifier.isAbstract(type.getModifiers()) || type.isInterface()) {
            throw new CliConfigException(path + ".class_path: '" + given + "' is abstract; give a concrete subclass"
                    + " of " + expected.getName());
        }
        return type;
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Components.class.getClassLoader();
    }

    private static void checkArgs(String path, Binding binding, Map<String, Object> given) {
        Set<String> accepted = new LinkedHashSet<>();
        for (Param p : binding.params()) {
            accepted.add(p.name());
        }
        for (Map.Entry<String, Object> e : given.entrySet()) {
            if (!accepted.contains(e.getKey())) {
                throw new CliConfigException(path + ".init_args." + e.getKey() + ": unknown key;"
                        + Suggestions.didYouMean(e.getKey(), accepted) + " Accepted: "
                        + (accepted.isEmpty() ? "none" : String.join(", ", accepted)));
            }
        }
        for (Param p : binding.params()) {
            String where = path + ".init_args." + p.name();
            if (given.containsKey(p.name())) {
                Object v = given.get(p.name());
                if (!(v == null && !p.required())) {
                    Types.convert(where, v, p.type());
                }
            } else if (p.required()) {
                throw new CliConfigException(where + ": missing required argument (" + Types.name(p.type()) + ")");
            }
        }
    }

    private static Binding binding(String path, Class<?> type) {
        Known known = SHORT.values().stream().filter(k -> k.className().equals(type.getName())).findFirst()
                .orElse(null);
        if (known != null) {
            return known.builder() ? new BuilderBinding(type, known.positional())
                    : new PositionalConstructorBinding(type, known.positional());
        }
        for (Constructor<?> c : type.getConstructors()) {
            if (c.getParameterCount() == 1 && c.getParameterTypes()[0].isRecord()) {
                return new RecordBinding(c);
            }
        }
        Constructor<?> named = null;
        for (Constructor<?> c : type.getConstructors()) {
            boolean namesPresent = true;
            for (Parameter p : c.getParameters()) {
                namesPresent &= p.isNamePresent();
            }
            if (namesPresent && (named == null || c.getParameterCount() > named.getParameterCount())) {
                named = c;
            }
        }
        if (named != null && named.getParameterCount() > 0) {
            return new NamedConstructorBinding(named);
        }
        Optional<Method> builder = staticBuilder(type, 0);
        if (builder.isPresent()) {
            return new BuilderBinding(type, List.of());
        }
        if (named != null) {
            return new NamedConstructorBinding(named);
        }
        throw new CliConfigException(path + ".class_path: " + type.getName() + " cannot be bound to init_args: give"
                + " it a public constructor taking one record (its components are the arguments), or compile it"
                + " with javac -parameters");
    }

    private static Optional<Method> staticBuilder(Class<?> type, int params) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals("builder") && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == params) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    static String camel(String snake) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char ch : snake.toCharArray()) {
            if (ch == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(ch) : ch);
                upper = false;
            }
        }
        return sb.toString();
    }

    static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** A builder: positional arguments of {@code builder(...)}, then one option method per remaining key. */
    private static final class BuilderBinding implements Binding {
        private final Method factory;
        private final List<String> positional;
        // sorted: getMethods() has no defined order, and help and print_config must not change between runs
        private final Map<String, List<Method>> options = new java.util.TreeMap<>();

        BuilderBinding(Class<?> type, List<String> positional) {
            this.positional = positional;
            this.factory = staticBuilder(type, positional.size()).orElseThrow(() -> new IllegalStateException(
                    type.getName() + " has no static builder with " + positional.size() + " arguments"));
            for (Method m : factory.getReturnType().getMethods()) {
                if (m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers())
                        && m.getDeclaringClass() != Object.class) {
                    options.computeIfAbsent(snake(m.getName()), k -> new ArrayList<>()).add(m);
                }
            }
        }

        @Override
        public List<Param> params() {
            List<Param> out = new ArrayList<>();
            for (int i = 0; i < positional.size(); i++) {
                out.add(new Param(positional.get(i), factory.getGenericParameterTypes()[i], null, true));
            }
            for (Map.Entry<String, List<Method>> e : options.entrySet()) {
                out.add(new Param(e.getKey(), e.getValue().get(0).getGenericParameterTypes()[0], null, false));
            }
            return out;
        }

        @Override
        public boolean hasDefaults() {
            return false;
        }

        @Override
        public Object create(String path, Map<String, Object> initArgs) throws ReflectiveOperationException {
            Object[] args = new Object[positional.size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = Types.convert(path + ".init_args." + positional.get(i), initArgs.get(positional.get(i)),
                        factory.getGenericParameterTypes()[i]);
            }
            Object builder = factory.invoke(null, args);
            for (Map.Entry<String, Object> e : initArgs.entrySet()) {
                if (positional.contains(e.getKey())) {
                    continue;
                }
                String where = path + ".init_args." + e.getKey();
                Method chosen = null;
                List<String> types = new ArrayList<>();
                for (Method m : options.get(e.getKey())) {
                    types.add(Types.name(m.getGenericParameterTypes()[0]));
                    if (chosen == null && Types.accepts(e.getValue(), m.getGenericParameterTypes()[0])) {
                        chosen = m;
                    }
                }
                if (chosen == null) {
                    throw new CliConfigException(where + ": expected " + String.join(" or ", types) + ", got "
                            + Types.show(e.getValue()));
                }
                try {
                    chosen.invoke(builder, Types.convert(where, e.getValue(), chosen.getGenericParameterTypes()[0]));
                } catch (InvocationTargetException ex) {
                    if (ex.getCause() instanceof IllegalArgumentException) {
                        throw new CliConfigException(where + ": " + ex.getCause().getMessage(), ex.getCause());
                    }
                    throw ex;
                }
            }
            return builder.getClass().getMethod("build").invoke(builder);
        }
    }

    /** A class built with {@code new T()} or {@code new T(a, b)} from positional arguments known by name. */
    private static final class PositionalConstructorBinding implements Binding {
        private final Class<?> type;
        private final List<String> names;

        PositionalConstructorBinding(Class<?> type, List<String> names) {
            this.type = type;
            this.names = names;
        }

        private Constructor<?> full() {
            for (Constructor<?> c : type.getConstructors()) {
                if (c.getParameterCount() == names.size()) {
                    return c;
                }
            }
            throw new IllegalStateException(type.getName() + " has no constructor with " + names.size() + " args");
        }

        @Override
        public List<Param> params() {
            List<Param> out = new ArrayList<>();
            Type[] types = full().getGenericParameterTypes();
            for (int i = 0; i < names.size(); i++) {
                out.add(new Param(names.get(i), types[i], null, false));
            }
            return out;
        }

        @Override
        public boolean hasDefaults() {
            return false;
        }

        @Override
        public Object create(String path, Map<String, Object> initArgs) throws ReflectiveOperationException {
            if (initArgs.isEmpty()) {
                return type.getConstructor().newInstance();
            }
            Constructor<?> c = full();
            Object[] args = new Object[names.size()];
            for (int i = 0; i < args.length; i++) {
                String where = path + ".init_args." + names.get(i);
                if (!initArgs.containsKey(names.get(i))) {
                    throw new CliConfigException(where + ": missing required argument (given with "
                            + initArgs.keySet() + ")");
                }
                args[i] = Types.convert(where, initArgs.get(names.get(i)), c.getGenericParameterTypes()[i]);
            }
            return c.newInstance(args);
        }
    }

    /** {@code new T(record)}: the record's components are the arguments, its {@code defaults()} their defaults. */
    private static final class RecordBinding implements Binding {
        private final Constructor<?> constructor;
        private final Class<?> record;
        private final Object defaults;

        RecordBinding(Constructor<?> constructor) {
            this.constructor = constructor;
            this.record = constructor.getParameterTypes()[0];
            Object d = null;
            try {
                Method m = record.getMethod("defaults");
                if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                        && m.getReturnType() == record) {
                    d = m.invoke(null);
                }
            } catch (NoSuchMethodException e) {
                d = null;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(record.getName() + ".defaults() failed", e);
            }
            this.defaults = d;
        }

        @Override
        public List<Param> params() {
            List<Param> out = new ArrayList<>();
            for (RecordComponent rc : record.getRecordComponents()) {
                Object def = null;
                if (defaults != null) {
                    try {
                        def = rc.getAccessor().invoke(defaults);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
                out.add(new Param(rc.getName(), rc.getGenericType(), printable(def), defaults == null));
            }
            return out;
        }

        @Override
        public boolean hasDefaults() {
            return defaults != null;
        }

        @Override
        public Object create(String path, Map<String, Object> initArgs) throws ReflectiveOperationException {
            RecordComponent[] components = record.getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                RecordComponent rc = components[i];
                types[i] = rc.getType();
                args[i] = initArgs.containsKey(rc.getName())
                        ? Types.convert(path + ".init_args." + rc.getName(), initArgs.get(rc.getName()),
                                rc.getGenericType())
                        : rc.getAccessor().invoke(defaults);
            }
            Constructor<?> canonical = record.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return constructor.newInstance(canonical.newInstance(args));
        }

        private static Object printable(Object value) {
            if (value instanceof java.nio.file.Path || value instanceof Enum) {
                return value.toString();
            }
            return value;
        }
    }

    /** {@code new T(a, b)} with parameter names from {@code javac -parameters}; every argument required. */
    private static final class NamedConstructorBinding implements Binding {
        private final Constructor<?> constructor;

        NamedConstructorBinding(Constructor<?> constructor) {
            this.constructor = constructor;
        }

        @Override
        public List<Param> params() {
            List<Param> out = new ArrayList<>();
            for (Parameter p : constructor.getParameters()) {
                out.add(new Param(p.getName(), p.getParameterizedType(), null, true));
            }
            return out;
        }

        @Override
        public boolean hasDefaults() {
            return false;
        }

        @Override
        public Object create(String path, Map<String, Object> initArgs) throws ReflectiveOperationException {
            Parameter[] params = constructor.getParameters();
            Object[] args = new Object[params.length];
            for (int i = 0; i < params.length; i++) {
                args[i] = Types.convert(path + ".init_args." + params[i].getName(), initArgs.get(params[i].getName()),
                        params[i].getParameterizedType());
            }
            return constructor.newInstance(args);
        }
    }
}
