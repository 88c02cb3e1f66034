package dev.jlightning.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlightning.io.Fixtures.ConvNet;
import dev.jlightning.io.Fixtures.Mlp;
import dev.jlightning.io.Fixtures.NonContiguous;
import dev.jlightning.io.Fixtures.Tied;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.bytedeco.pytorch.global.torch.relu;

/** Files written by real PyTorch 1.13 (make_fixtures.py): loaded bit for bit, crafted ones refused. */
class TorchFilesTest {

    private static final JsonNode EXPECTED = Fixtures.expected();

    @ParameterizedTest
    @ValueSource(strings = {"mlp_f32.pt", "mlp_f16.pt", "mlp_bf16.pt", "conv_f32.pt", "conv_f16.pt", "conv_bf16.pt",
            "tied.pt", "noncontiguous.pt", "wrapped.pt", "lightning.ckpt", "from_python.safetensors"})
    void everyTensorOfAPyTorchFileIsBitIdenticalToWhatTheScriptPrinted(String name) {
        JsonNode expected = EXPECTED.get(name);
        try (StateDictFile file = StateDictFile.open(Fixtures.file(name)); PointerScope scope = new PointerScope()) {
            assertEquals(expected.size(), file.tensors().size(), name);
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                JsonNode e = expected.get(key);
                StoredTensor t = file.tensors().get(key);
                assertEquals(e.get("dtype").asText(), t.dtype().torchName(), key);
                assertEquals(e.get("shape").toString(), List.of(box(t.shape())).toString().replace(" ", ""), key);
                assertEquals(e.get("sha256").asText(), Fixtures.sha256(t.toTensor()), name + " " + key);
            }
        }
    }

    private static Object[] box(long[] a) {
        Object[] o = new Object[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i];
        }
        return o;
    }

    @Test
    void sequentialMlpLoadsIntoNamedLayersAndComputesWhatPyTorchComputed() {
        Mlp mlp = new Mlp();
        LoadResult r = Weights.load(mlp, Fixtures.file("mlp_f32.pt"),
                LoadOptions.builder().rename(Mlp::rename).build());
        assertEquals(4, r.loadedKeys());
        assertEquals(WeightsFormat.TORCH_STATE_DICT, r.format());
        try (PointerScope scope = new PointerScope()) {
            Tensor x = arange(new org.bytedeco.pytorch.Scalar(16)).to(org.bytedeco.pytorch.global.torch.ScalarType.Float)
                    .reshape(2, 8).div(new org.bytedeco.pytorch.Scalar(10.0));
            Tensor y = mlp.fc2.forward(relu(mlp.fc1.forward(x))).contiguous();
            JsonNode out = EXPECTED.get("mlp_f32_output");
            for (int i = 0; i < 8; i++) {
                assertEquals(out.get(i).asDouble(), y.reshape(-1).get(i).item_double(), 1e-6, "output " + i);
            }
            assertEquals(EXPECTED.get("mlp_f32.pt").get("0.weight").get("sha256").asText(),
                    Fixtures.sha256(mlp.fc1.weight()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16"})
    void convNetWithBatchNormBuffersLoadsInEveryDtype(String dtype) {
        ConvNet net = new ConvNet();
        String name = "conv_" + dtype + ".pt";
        LoadResult r = Weights.load(net, Fixtures.file(name), LoadOptions.DEFAULT);
        assertEquals(11, r.loadedKeys());
        JsonNode expected = EXPECTED.get(name);
        try (PointerScope scope = new PointerScope(); StringTensorDict state = stateOf(net)) {
            for (long i = 0; i < state.size(); i++) {
                String key = state.get(i).key().getString();
                StoredTensor stored;
                try (StateDictFile f = StateDictFile.open(Fixtures.file(name))) {
                    stored = f.tensors().get(key);
                }
                // the module is float32; converted back to the file's dtype the values are the file's bits
                Tensor back = state.get(i).value().to(stored.dtype().scalarType());
                assertEquals(expected.get(key).get("sha256").asText(), Fixtures.sha256(back), key);
            }
        }
    }

    private static StringTensorDict stateOf(Module m) {
        StringTensorDict all = new StringTensorDict();
        try (StringTensorDict p = m.named_parameters(true); StringTensorDict b = m.named_buffers(true)) {
            for (long i = 0; i < p.size(); i++) {
                all.insert(p.get(i).key().getString(), new Tensor(p.get(i).value()));
            }
            for (long i = 0; i < b.size(); i++) {
                all.insert(b.get(i).key().getString(), new Tensor(b.get(i).value()));
            }
        }
        return all;
    }

    @Test
    void tiedWeightsShareOneStorageAndBothNamesGetTheValues() {
        try (StateDictFile f = StateDictFile.open(Fixtures.file("tied.pt"))) {
            assertEquals(f.tensors().get("emb.weight").storageId(), f.tensors().get("out.weight").storageId());
        }
        Tied tied = new Tied();
        Weights.load(tied, Fixtures.file("tied.pt"), LoadOptions.DEFAULT);
        String sha = EXPECTED.get("tied.pt").get("emb.weight").get("sha256").asText();
        assertEquals(sha, Fixtures.sha256(tied.emb.weight()));
        assertEquals(sha, Fixtures.sha256(tied.out.weight()));
    }

    @Test
    void nonContiguousParameterAndOffsetSliceComeOutRight() {
        try (StateDictFile f = StateDictFile.open(Fixtures.file("noncontiguous.pt"))) {
            StoredTensor wt = f.tensors().get("w_t");
            StoredTensor window = f.tensors().get("window");
            assertEquals(List.of(1L, 3L), List.of(wt.strides()[0], wt.strides()[1]));
            assertTrue(!wt.isContiguous());
            assertEquals(12, window.offset());
            assertEquals(List.of(10L, 1L), List.of(window.strides()[0], window.strides()[1]));
        }
        NonContiguous m = new NonContiguous();
        Weights.load(m, Fixtures.file("noncontiguous.pt"), LoadOptions.DEFAULT);
        try (PointerScope scope = new PointerScope(); StringTensorDict state = stateOf(m)) {
            JsonNode e = EXPECTED.get("noncontiguous.pt");
            assertEquals(e.get("w_t").get("sha256").asText(), Fixtures.sha256(state.get(0).value()));
            assertEquals(e.get("window").get("sha256").asText(), Fixtures.sha256(state.get(1).value()));
            assertEquals(12.0, state.get(1).value().reshape(-1).get(0).item_double());
        }
    }

    @Test
    void lightningCheckpointLoadsWithItsModelPrefixAndExposesItsCounters() {
        Mlp mlp = new Mlp();
        LoadResult r = Weights.load(mlp, Fixtures.file("lightning.ckpt"),
                LoadOptions.builder().stripPrefix("model.").rename(Mlp::rename).build());
        assertEquals(WeightsFormat.LIGHTNING_CHECKPOINT, r.format());
        assertEquals(3L, r.extras().get("epoch"));
        assertEquals(120L, r.extras().get("global_step"));
        assertEquals("2.1.0", r.extras().get("pytorch-lightning_version"));
        assertEquals(0.01, r.hyperParameters().get("lr"));
        assertEquals(16L, r.hyperParameters().get("hidden"));
        assertEquals(List.of(0.9, 0.999), r.hyperParameters().get("betas"));
        assertTrue(r.hyperParameters().containsKey("dropout"));
        assertNull(r.hyperParameters().get("dropout"));
        // optimizer states are data too: Adam's moments are tensors there
        Map<?, ?> adam = (Map<?, ?>) ((List<?>) r.extras().get("optimizer_states")).get(0);
        Map<?, ?> state0 = (Map<?, ?>) ((Map<?, ?>) adam.get("state")).get(0L);
        assertTrue(state0.get("exp_avg") instanceof StoredTensor);
        assertEquals(EXPECTED.get("lightning.ckpt").get("model.2.bias").get("sha256").asText(),
                Fixtures.sha256(mlp.fc2.bias()));
    }

    @Test
    void aDictHoldingAStateDictUnderAKeyIsFound() {
        Mlp mlp = new Mlp();
        LoadResult r = Weights.load(mlp, Fixtures.file("wrapped.pt"), LoadOptions.builder().rename(Mlp::rename)
                .build());
        assertEquals(5L, r.extras().get("epoch"));
        Mlp other = new Mlp();
        LoadResult named = Weights.load(other, Fixtures.file("wrapped.pt"), LoadOptions.builder()
                .rename(Mlp::rename).stateDictKey("model_state_dict").build());
        assertEquals(4, named.loadedKeys());
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> Weights.load(new Mlp(),
                Fixtures.file("wrapped.pt"), LoadOptions.builder().stateDictKey("weights").build()));
        assertTrue(e.getMessage().contains("no state dict under 'weights'"), e.getMessage());
    }

    @Test
    void strictLoadListsMissingAndUnexpectedKeysAsPyTorchDoesAndChangesNothing() {
        Mlp mlp = new Mlp();
        String before = Fixtures.sha256(mlp.fc1.weight());
        WeightsFileException e = assertThrows(WeightsFileException.class,
                () -> Weights.load(mlp, Fixtures.file("mlp_f32.pt"), LoadOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith("Error(s) in loading state_dict for Mlp"), e.getMessage());
        assertTrue(e.getMessage().contains(
                "Unexpected key(s) in state_dict: \"0.weight\", \"0.bias\", \"2.weight\", \"2.bias\". "),
                e.getMessage());
        assertTrue(e.getMessage().contains(
                "Missing key(s) in state_dict: \"fc1.weight\", \"fc1.bias\", \"fc2.weight\", \"fc2.bias\". "),
                e.getMessage());
        assertEquals(before, Fixtures.sha256(mlp.fc1.weight()));
    }

    @Test
    void nonStrictLoadReportsWhatDidNotMatch() {
        Mlp mlp = new Mlp();
        LoadResult r = Weights.load(mlp, Fixtures.file("mlp_f32.pt"), LoadOptions.builder().strict(false)
                .rename(k -> k.startsWith("0.") ? k.replace("0.", "fc1.") : k).build());
        assertEquals(List.of("fc2.weight", "fc2.bias"), r.missingKeys());
        assertEquals(List.of("2.weight", "2.bias"), r.unexpectedKeys());
        assertEquals(2, r.loadedKeys());
    }

    @Test
    void shapeMismatchNamesBothShapesAndLeavesTheModuleUnchanged() {
        ConvNet net = new ConvNet();
        String before = Fixtures.sha256(net.conv1.weight());
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> Weights.load(net,
                Fixtures.file("conv_f32.pt"), LoadOptions.builder().rename(k -> k.startsWith("conv1.") ? "x." + k : k.replace("conv2", "conv1"))
                        .strict(false).build()));
        assertTrue(e.getMessage().contains("size mismatch for conv1.weight: copying a param with shape"
                + " torch.Size([8, 4, 3, 3]) from checkpoint, the shape in current model is torch.Size([4, 1, 3, 3])."),
                e.getMessage());
        assertEquals(before, Fixtures.sha256(net.conv1.weight()));
    }

    @Test
    void dtypeConversionCanBeTurnedIntoAnError() {
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> Weights.load(new Mlp(),
                Fixtures.file("mlp_bf16.pt"), LoadOptions.builder().rename(Mlp::rename).convertDtype(false).build()));
        assertTrue(e.getMessage().contains("dtype mismatch for fc1.weight: the file holds torch.bfloat16, the current"
                + " model torch.float32."), e.getMessage());
    }

    @Test
    void twoKeysMappingToOneNameAreRefused() {
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> Weights.load(new Mlp(),
                Fixtures.file("mlp_f32.pt"), LoadOptions.builder().rename(k -> "fc1.weight").build()));
        assertTrue(e.getMessage().contains("keys '0.weight' and '0.bias' both map to 'fc1.weight'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "os_system.pt|global 'posix.system' (os.system)",
            "builtins_eval.pt|global '__builtin__.eval' (builtins.eval)",
            "unknown_class.pt|global '__main__.Unknown'",
            "self_reference.pt|contains itself",
            "deep_nesting.pt|nests containers more than 1000 deep",
            "billion_laughs.pt|billion laughs",
            "view_past_storage.pt|reaches element 99 but its storage holds 4 elements",
            "offset_past_storage.pt|reaches element 4 but its storage holds 4 elements",
            "storage_entry_short.pt|declares 4 F32 elements (16 bytes) but its entry archive/data/0 holds 8 bytes",
            "storage_entry_missing.pt|the archive has no entry archive/data/0"})
    void craftedFilesAreRefusedNamingWhatWasFound(String caseAndMessage) {
        String[] parts = caseAndMessage.split("\\|");
        Path path = Fixtures.file("crafted/" + parts[0]);
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> StateDictFile.open(path));
        assertTrue(e.getMessage().contains(parts[1]), e.getMessage());
        assertTrue(e.getMessage().contains(parts[0]), "the message names the file: " + e.getMessage());
    }

    @Test
    void legacyNonZipFormatIsRefusedWithAWayOut() {
        WeightsFileException e = assertThrows(WeightsFileException.class,
                () -> StateDictFile.open(Fixtures.file("legacy.pt")));
        assertTrue(e.getMessage().contains("legacy non-zip torch.save format"), e.getMessage());
    }

    @Test
    void writtenStateDictReadsBackBitIdentically(@TempDir Path dir) {
        ConvNet net = new ConvNet();
        Weights.load(net, Fixtures.file("conv_f32.pt"), LoadOptions.DEFAULT);
        Path out = dir.resolve("conv.pt");
        Weights.saveTorch(net, out);
        try (StateDictFile f = StateDictFile.open(out)) {
            assertEquals(WeightsFormat.TORCH_STATE_DICT, f.format());
            JsonNode e = EXPECTED.get("conv_f32.pt");
            assertEquals(e.size(), f.tensors().size());
            for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                assertEquals(e.get(key).get("sha256").asText(), Fixtures.sha256(f.tensors().get(key).toTensor()), key);
                assertEquals(0, f.tensors().get(key).storage().alignmentOffset(0, 64) % 64, key + " 64-byte aligned");
            }
        }
    }

    @Test
    void writtenLightningCheckpointCarriesCountersAndHyperparameters(@TempDir Path dir) {
        Mlp mlp = new Mlp();
        Path out = dir.resolve("m.ckpt");
        Weights.saveLightningCheckpoint(mlp, out, Map.of("lr", 0.5, "layers", List.of(8, 16, 4), "name", "mlp"), 7,
                70);
        Mlp back = new Mlp();
        LoadResult r = Weights.load(back, out, LoadOptions.DEFAULT);
        assertEquals(WeightsFormat.LIGHTNING_CHECKPOINT, r.format());
        assertEquals(7L, r.extras().get("epoch"));
        assertEquals(70L, r.extras().get("global_step"));
        assertEquals(Weights.LIGHTNING_VERSION, r.extras().get("pytorch-lightning_version"));
        assertEquals(0.5, r.hyperParameters().get("lr"));
        assertEquals(List.of(8L, 16L, 4L), r.hyperParameters().get("layers"));
        assertEquals(Fixtures.sha256(mlp.fc1.weight()), Fixtures.sha256(back.fc1.weight()));
        assertNotEquals(Fixtures.sha256(new Mlp().fc1.weight()), Fixtures.sha256(back.fc1.weight()));
    }
}
