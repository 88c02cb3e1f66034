package dev.jlightning.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlightning.testing.JavadocCoverage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JavadocCoverageTest {

    @Test
    void everyPublicTypeHasJavadoc() throws Exception {
        List<String> missing = JavadocCoverage.typesWithoutJavadoc(Path.of("src/main/java"));
        assertEquals(List.of(), missing);
    }
}
