package dev.jlightning.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.pytorch.Tensor;

/**
 * Reads and writes Hugging Face safetensors files: an 8-byte little-endian header length, a JSON header mapping each
 * name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional string-to-string
 * {@code "__metadata__"}), then the raw little-endian bytes of every tensor, row-major.
 *
 * <p>Counterpart of {@code safetensors.torch.load_file} / {@code save_file}. Like the reference Rust reader, the header
 * is capped at 100 MB, duplicate keys are refused, and every range is checked: {@code end - begin} must equal the
 * shape's byte size, ranges must lie inside the data section and must not overlap (an overlap would alias two
 * tensors that the format says are independent). Tensor bytes are memory-mapped, never copied into the Java heap.
 */
public final class Safetensors {

    static final long MAX_HEADER = 100L * 1000 * 1000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Safetensors() {
    }

    /** True when the first bytes look like a safetensors header: a plausible length followed by {@code '{'}. */
    static boolean sniff(ByteBuffer head, long fileSize) {
        if (head.remaining() < 9) {
            return false;
        }
        long n = head.getLong(0);
        return n > 1 && n <= fileSize - 8 && head.get(8) == '{';
    }

    static StateDictFile read(MappedFile file) {
        Path path = file.path();
        if (file.size() < 8) {
            throw new WeightsFileException(path + " is not a safetensors file: only " + file.size() + " bytes");
        }
        long n = file.read(0, 8, "the header length").getLong();
        if (n < 2 || n > MAX_HEADER) {
            throw new WeightsFileException(path + ": the safetensors header length " + Long.toUnsignedString(n)
                    + " is outside 2.." + MAX_HEADER);
        }
        ByteBuffer headerBytes = file.read(8, (int) n, "the safetensors JSON header");
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new WeightsFileException(path + ": the safetensors header is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw new WeightsFileException(path + ": the safetensors header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = file.size() - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                readMetadata(path, field.getValue(), metadata);
            } else {
                entries.add(entry(path, field.getKey(), field.getValue(), dataSize));
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry a = byOffset.get(i - 1);
            Entry b = byOffset.get(i);
            if (b.begin() < a.end()) {
                throw new WeightsFileException(path + ": the byte ranges of '" + a.key() + "' [" + a.begin() + ", "
                        + a.end() + ") and '" + b.key() + "' [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
        // One mapping for the data section when it fits a ByteBuffer, so that many small tensors cost one mmap.
        ByteBuffer whole = dataSize <= Integer.MAX_VALUE ? file.map(dataStart, dataSize, "the data section") : null;
        LinkedHashMap<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            long length = e.end() - e.begin();
            ByteBuffer storage = whole != null
                    ? whole.slice((int) e.begin(), (int) length).order(ByteOrder.LITTLE_ENDIAN)
                    : file.map(dataStart + e.begin(), length, "tensor '" + e.key() + "'");
            tensors.put(e.key(), new StoredTensor(e.key(), e.dtype(), e.shape(),
                    TensorBounds.contiguousStrides(e.shape()), 0, e.key(), storage));
        }
        return new StateDictFile(path, WeightsFormat.SAFETENSORS, tensors, Map.of(), metadata);
    }

    private record Entry(String key, DType dtype, long[] shape, long begin, long end) {
    }

    private static Entry entry(Path path, String key, JsonNode node, long dataSize) {
        String where = path + ": tensor '" + key + "'";
        if (!node.isObject()) {
            throw new WeightsFileException(where + " is not described by a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new WeightsFileException(where + " has no \"dtype\" string");
        }
        DType dtype = DType.fromSafetensors(dtypeNode.asText()).orElseThrow(() -> new WeightsFileException(where
                + " has dtype \"" + dtypeNode.asText() + "\", which JLightning does not read (it reads F32, F16,"
                + " BF16, F64, I64, I32, I16, I8, U8, BOOL)"));
        long[] shape = longs(where, "shape", node.get("shape"), -1);
        long[] offsets = longs(where, "data_offsets", node.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw new WeightsFileException(where + " has data_offsets [" + begin + ", " + end
                    + "] but the data section has " + dataSize + " bytes");
        }
        long numel = TensorBounds.numel(where, shape);
        long bytes;
        try {
            bytes = Math.multiplyExact(numel, (long) dtype.size());
        } catch (ArithmeticException ex) {
            throw new WeightsFileException(where + " has a shape too large to address");
        }
        if (end - begin != bytes) {
            throw new WeightsFileException(where + " (" + dtype + ", shape " + java.util.Arrays.toString(shape)
                    + ") needs " + bytes + " bytes but its data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin));
        }
        return new Entry(key, dtype, shape, begin, end);
    }

    private static long[] longs(String where, String name, JsonNode node, int expectedLength) {
        if (node == null || !node.isArray() || (expectedLength >= 0 && node.size() != expectedLength)) {
            throw new WeightsFileException(where + " has no valid \"" + name + "\" array");
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new WeightsFileException(where + " has \"" + name + "\" " + node
                        + ", which is not a list of non-negative integers");
            }
            out[i] = v.asLong();
        }
        return out;
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw new WeightsFileException(path + ": __metadata__ is not a JSON object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new WeightsFileException(path + ": __metadata__ entry '" + e.getKey()
                        + "' is not a string (safetensors metadata maps strings to strings)");
            }
            into.put(e.getKey(), e.getValue().asText());
        }
    }

    /**
     * Writes tensors (CPU or not; they are copied to contiguous CPU memory one at a time) in name order, as
     * {@code safetensors.torch.save_file} does, with the header padded with spaces to a multiple of 8 bytes so that
     * every tensor's bytes are 8-byte aligned for readers that map the file.
     */
    static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new TreeMap<>(metadata)); // sorted: the same weights give the same bytes
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            Tensor t = e.getValue();
            DType dtype = TensorBytes.dtypeOf(e.getKey(), t);
            long bytes = t.numel() * dtype.size();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("dtype", dtype.safetensorsName());
            d.put("shape", t.sizes().vec().get());
            d.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), d);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(path, channel -> {
            writeFully(channel, head);
            for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
                TensorBytes.write(e.getValue(), channel);
            }
        });
    }

    static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
