package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlightning.testing.JavadocCoverage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every public type of lightning-callbacks has a Javadoc comment (doclint's "missing" group is off in the build). */
class JavadocCoverageTest {
    @Test
    void everyPublicTypeHasAJavadocComment() {
        List<String> missing = JavadocCoverage.typesWithoutJavadoc(Path.of("src/main/java"));
        assertEquals(List.of(), missing, "public types need a Javadoc comment naming their Lightning/PyTorch twin");
    }
}
