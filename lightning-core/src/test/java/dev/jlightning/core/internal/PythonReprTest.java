package dev.jlightning.core.internal;

import dev.jlightning.logging.HparamsYaml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Expected strings printed by CPython 3.11's repr(). */
class PythonReprTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.1 | 0.1",
        "1e-05 | 1e-05",
        "1e16 | 1e+16",
        "1234567890123456.0 | 1234567890123456.0",
        "12345678901234567.0 | 1.2345678901234568e+16",
        "0.0001 | 0.0001",
        "0.00012345 | 0.00012345",
        "-2.5 | -2.5",
        "1e22 | 1e+22",
        "1.7976931348623157e308 | 1.7976931348623157e+308",
        "4.9e-324 | 5e-324",
        "100.0 | 100.0",
        "0.6666666666666666 | 0.6666666666666666",
        "123456789.0 | 123456789.0",
        "NaN | nan",
        "Infinity | inf",
        "-0.0 | -0.0",
        "1e100 | 1e+100",
    })
    void floatReprMatchesPython(String javaLiteral, String python) {
        assertEquals(python, PythonRepr.floatRepr(Double.parseDouble(javaLiteral)));
    }

    @Test
    void containersUsePythonsListAndStringRepr() {
        assertEquals("[0.1, \"it's\", 'q\"', None, True, 1]",
                PythonRepr.str(Arrays.asList(0.1, "it's", "q\"", null, true, 1)));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", 1L);
        map.put("b", new double[] {1e-05});
        assertEquals("{'a': 1, 'b': [1e-05]}", PythonRepr.str(map));
        assertEquals("plain", PythonRepr.str("plain"));
        assertEquals("None", PythonRepr.str(null));
    }

    @Test
    void pyYamlSpellsFloatsWithADotBeforeTheExponent() {
        assertEquals("1.0e-05", HparamsYaml.pyYamlFloat(1e-05));
        assertEquals("1.0e+16", HparamsYaml.pyYamlFloat(1e16));
        assertEquals("1.5e+16", HparamsYaml.pyYamlFloat(1.5e16));
        assertEquals(".nan", HparamsYaml.pyYamlFloat(Double.NaN));
        assertEquals("-.inf", HparamsYaml.pyYamlFloat(Double.NEGATIVE_INFINITY));
    }
}
