package dev.jlightning.testing;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Lists the public types of a source tree that have no Javadoc comment. The build runs Javadoc with doclint's
 * "missing" group off (it would demand a comment on every public member), so this is what keeps the rule that every
 * public type says what it is and names its Lightning or PyTorch counterpart: a new class without one fails a test
 * that names it.
 */
public final class JavadocCoverage {
    private JavadocCoverage() {
    }

    /** {@code "path:Type"} for every public or protected type under {@code sourceRoot} without a Javadoc comment. */
    public static List<String> typesWithoutJavadoc(Path sourceRoot) {
        Path root = sourceRoot.toAbsolutePath().normalize();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")
                    && !p.getFileName().toString().equals("package-info.java")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> missing = new ArrayList<>();
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
            // parsing only: no class path is needed, and nothing is compiled
            JavacTask task = (JavacTask) compiler.getTask(null, fm, d -> { }, List.of("-proc:none"), null, units);
            DocTrees docs = DocTrees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                String file = root.relativize(Path.of(unit.getSourceFile().toUri())).toString();
                new TreePathScanner<Void, Void>() {
                    @Override
                    public Void visitClass(ClassTree type, Void unused) {
                        var modifiers = type.getModifiers().getFlags();
                        boolean visible = modifiers.contains(Modifier.PUBLIC) || modifiers.contains(Modifier.PROTECTED)
                                || isInterfaceMember();
                        if (!visible) {
                            return null; // nothing inside a non-public type is API
                        }
                        DocCommentTree doc = docs.getDocCommentTree(getCurrentPath());
                        if (doc == null || doc.getFullBody().isEmpty()) {
                            missing.add(file + ":" + type.getSimpleName());
                        }
                        return super.visitClass(type, unused);
                    }

                    private boolean isInterfaceMember() {
                        Tree parent = getCurrentPath().getParentPath().getLeaf();
                        return parent instanceof ClassTree && (parent.getKind() == Tree.Kind.INTERFACE
                                || parent.getKind() == Tree.Kind.ANNOTATION_TYPE);
                    }
                }.scan(unit, null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return missing;
    }
}
