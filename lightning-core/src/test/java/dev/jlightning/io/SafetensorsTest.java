package dev.jlightning.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.bytedeco.pytorch.global.torch.arange;

/** Safetensors written by JLightning, read back by JLightning and by check_safetensors.py; lying headers refused. */
class SafetensorsTest {

    /** One tensor per dtype, with values that do not depend on any random generator. */
    static Map<String, Tensor> everyDtype() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        Tensor base = arange(new Scalar(-6), new Scalar(6)).to(ScalarType.Double).div(new Scalar(7.0));
        m.put("f32", base.to(ScalarType.Float).reshape(3, 4));
        m.put("f16", base.to(ScalarType.Half).reshape(2, 6));
        m.put("bf16", base.to(ScalarType.BFloat16));
        m.put("f64", base.reshape(4, 3));
        m.put("i64", arange(new Scalar(-3), new Scalar(3)).to(ScalarType.Long));
        m.put("i32", arange(new Scalar(6)).to(ScalarType.Int).reshape(2, 3));
        m.put("u8", arange(new Scalar(250), new Scalar(256)).to(ScalarType.Byte));
        m.put("bool", arange(new Scalar(5)).remainder(new Scalar(2)).to(ScalarType.Bool));
        m.put("layer.0.weight", base.to(ScalarType.Float).reshape(2, 2, 3).transpose(0, 1));
        return m;
    }

    /** The lines check_safetensors.py prints, computed in Java. */
    static List<String> checkLines(StateDictFile f) {
        List<String> lines = new ArrayList<>();
        lines.add("metadata " + f.metadata().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> "\"" + e.getKey() + "\": " + jsonString(e.getValue()))
                .reduce((a, b) -> a + ", " + b).map(s -> "{" + s + "}").orElse("{}"));
        f.tensors().keySet().stream().sorted().forEach(k -> {
            StoredTensor t = f.tensors().get(k);
            try (PointerScope scope = new PointerScope()) {
                Tensor v = t.toTensor();
                double sum = v.to(ScalarType.Double).sum().item_double();
                lines.add(k + " " + t.dtype() + " " + java.util.Arrays.toString(t.shape()) + " " + Fixtures.sha256(v)
                        + " " + sum); // Java and Python spell these sums alike
            }
        });
        return lines;
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void writtenFileIsReproducibleReadsBackBitIdenticallyAndMatchesThePythonCheck(@TempDir Path dir)
            throws IOException {
        Path out = dir.resolve("every_dtype.safetensors");
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = everyDtype();
            Weights.saveSafetensors(tensors, out, Map.of("format", "pt", "hyper_parameters", "{\"lr\":0.1}"));
            try (StateDictFile f = StateDictFile.open(out)) {
                for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                    assertEquals(Fixtures.sha256(e.getValue()), Fixtures.sha256(f.tensors().get(e.getKey()).toTensor()),
                            e.getKey());
                }
                assertEquals(Map.of("lr", 0.1), f.hyperParameters());
                // check_safetensors.py printed these lines for the committed copy of this file
                List<String> python = Files.readAllLines(Fixtures.file("written_by_jlightning.check.txt"));
                List<String> java = checkLines(f);
                assertEquals(python.get(0), java.get(0));
                assertEquals(python.size(), java.size());
                for (int i = 1; i < python.size(); i++) {
                    // name, dtype, shape and SHA-256 must be equal; the sums differ in summation order only
                    int cut = python.get(i).lastIndexOf(' ');
                    assertEquals(python.get(i).substring(0, cut), java.get(i).substring(0, cut));
                    assertEquals(Double.parseDouble(python.get(i).substring(cut + 1)),
                            Double.parseDouble(java.get(i).substring(cut + 1)), 1e-12, python.get(i));
                }
            }
        }
        assertArrayEquals(Files.readAllBytes(Fixtures.file("written_by_jlightning.safetensors")),
                Files.readAllBytes(out), "the writer is deterministic and matches the committed file");
    }

    @Test
    void lightningModuleWritesHyperparametersIntoMetadata(@TempDir Path dir) {
        Fixtures.Mlp mlp = new Fixtures.Mlp();
        Path out = dir.resolve("mlp.safetensors");
        Weights.saveSafetensors(mlp, out, Map.of("hidden", 16, "name", "mlp"));
        Fixtures.Mlp back = new Fixtures.Mlp();
        LoadResult r = Weights.load(back, out, LoadOptions.DEFAULT);
        assertEquals(WeightsFormat.SAFETENSORS, r.format());
        assertEquals("pt", r.metadata().get("format"));
        assertEquals(Map.of("hidden", 16, "name", "mlp"), r.hyperParameters());
        assertEquals(Fixtures.sha256(mlp.fc2.weight()), Fixtures.sha256(back.fc2.weight()));
    }

    private static Path craft(Path dir, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("crafted.safetensors");
        Files.write(p, b.array());
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}|12|data_offsets [0, 16] but the data section has 12 bytes",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}|16|needs 16 bytes but its data_offsets [0, 12] span 12",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}|16|'a' [0, 8) and 'b' [4, 12) overlap",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}|4|not valid JSON: Duplicate field 'a'",
            "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}|8|dtype \"C64\", which JLightning does not read",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}|4|not a list of non-negative integers",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}|4|element count overflows",
            "{\"__metadata__\":{\"n\":1}}|0|__metadata__ entry 'n' is not a string",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}|4|not valid JSON"})
    void headersThatLieAreRefusedWithAClearMessage(String caseText, @TempDir Path dir) throws IOException {
        String[] parts = caseText.split("\\|");
        Path p = craft(dir, parts[0], Integer.parseInt(parts[1]));
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> StateDictFile.open(p));
        assertTrue(e.getMessage().contains(parts[2]), e.getMessage());
    }

    @Test
    void headerLengthPastTheEndOfTheFileIsRefused(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("lying.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1000).put("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        Files.write(p, b.array());
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> Safetensors.read(new MappedFile(p)));
        assertTrue(e.getMessage().contains("spans bytes 8..1008 but the file has 20 bytes"), e.getMessage());
        WeightsFileException sniffed = assertThrows(WeightsFileException.class, () -> StateDictFile.open(p));
        assertTrue(sniffed.getMessage().contains("neither a torch.save zip nor safetensors"), sniffed.getMessage());
    }
}
