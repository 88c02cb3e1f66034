package dev.jlightning.core;

import dev.jlightning.logging.tensorboard.HParams;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.javacpp.Pointer;

/**
 * Names the values a module's constructor passes to {@code saveHyperparameters(Object...)} after that constructor's
 * parameters, the Java counterpart of Lightning's {@code save_hyperparameters()} collecting {@code __init__}'s
 * arguments from the calling frame.
 *
 * <p>Java cannot read a caller's arguments, so the constructor passes them, in order; the calling constructor is
 * found on the stack (its exact signature, so overloaded constructors are told apart) and its parameter names are
 * read by reflection, which needs the class compiled with {@code javac -parameters}. Values are stored as plain data
 * (a record becomes a map of its components, an enum its name); native objects (modules, tensors) are left out with
 * Lightning's warning, since the checkpoint keeps their weights anyway.
 */
final class ConstructorArguments {

    private static final Logger LOG = LogManager.getLogger(ConstructorArguments.class);
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private ConstructorArguments() {
    }

    /** The arguments by parameter name, in declaration order; the caller is the first frame outside core. */
    static Map<String, Object> named(Object[] values) {
        StackWalker.StackFrame caller = WALKER.walk(frames -> frames
                .filter(f -> f.getDeclaringClass() != ConstructorArguments.class
                        && f.getDeclaringClass() != LightningModule.class)
                .findFirst()).orElseThrow();
        Class<?> type = caller.getDeclaringClass();
        if (!"<init>".equals(caller.getMethodName()) || !LightningModule.class.isAssignableFrom(type)) {
            throw new MisconfigurationException("saveHyperparameters(Object...) names its values after the parameters"
                    + " of the module constructor that calls it, but it was called from " + type.getName() + "."
                    + caller.getMethodName() + "; call it from the constructor, or pass a Map or a record");
        }
        MethodType signature = caller.getMethodType();
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor(signature.parameterArray());
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("constructor " + type.getName() + signature + " not found", e);
        }
        Parameter[] parameters = constructor.getParameters();
        String where = type.getSimpleName() + signature.toString().replaceFirst("\\)void$", ")");
        if (values.length != parameters.length) {
            throw new MisconfigurationException("saveHyperparameters got " + values.length + " value(s), but the"
                    + " constructor " + where + " that calls it has " + parameters.length + " parameter(s); pass"
                    + " every constructor argument, in order, or pass a Map of the ones to save");
        }
        Map<String, Object> named = new LinkedHashMap<>();
        for (int i = 0; i < parameters.length; i++) {
            Parameter p = parameters[i];
            if (!p.isNamePresent()) {
                throw new MisconfigurationException("saveHyperparameters(Object...) needs the parameter names of "
                        + where + ", which are only kept when the class is compiled with `javac -parameters`"
                        + " (maven-compiler-plugin: <parameters>true</parameters>); compile with it, or pass a Map"
                        + " or a record");
            }
            Object v = values[i];
            if (v != null && !box(p.getType()).isInstance(v)) {
                throw new MisconfigurationException("saveHyperparameters: value " + i + " is a "
                        + v.getClass().getSimpleName() + ", but parameter '" + p.getName() + "' of " + where + " is a "
                        + p.getType().getSimpleName() + "; pass the constructor's arguments in order");
            }
            if (v instanceof Pointer) {
                LOG.warn("Attribute '{}' is an instance of `{}` and is already saved during checkpointing; it is not"
                        + " saved as a hyperparameter.", p.getName(), v.getClass().getSimpleName());
                continue;
            }
            named.put(p.getName(), HParams.toPlainData(v));
        }
        return named;
    }

    private static Class<?> box(Class<?> t) {
        if (!t.isPrimitive()) {
            return t;
        }
        return t == int.class ? Integer.class : t == long.class ? Long.class : t == double.class ? Double.class
                : t == float.class ? Float.class : t == boolean.class ? Boolean.class : t == short.class ? Short.class
                : t == byte.class ? Byte.class : Character.class;
    }
}
