package dev.jlightning.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.zeros;

/** The PyTorch-made fixtures (see make_fixtures.py next to them) and Java twins of their architectures. */
final class Fixtures {

    private Fixtures() {
    }

    static Path file(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/weights/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode expected() {
        try {
            return new ObjectMapper().readTree(file("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 of the tensor's contiguous little-endian bytes, as make_fixtures.py prints it. */
    static String sha256(Tensor t) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(TensorBytes.toArray("t", t)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** nn.Sequential(Linear(8, 16), ReLU(), Linear(16, 4)) with named layers: keys 0.* and 2.* become fc1.*, fc2.*. */
    static final class Mlp extends Module {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(8, 16));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(16, 4));

        static String rename(String key) {
            return key.replaceFirst("^0\\.", "fc1.").replaceFirst("^2\\.", "fc2.");
        }
    }

    /** make_fixtures.py's ConvNet: conv1, bn1, conv2, fc. */
    static final class ConvNet extends Module {
        final Conv2dImpl conv1 = register_module("conv1", new Conv2dImpl(1, 4, new LongPointer(3L, 3L)));
        final BatchNorm2dImpl bn1 = register_module("bn1", new BatchNorm2dImpl(new BatchNormOptions(4)));
        final Conv2dImpl conv2 = register_module("conv2", new Conv2dImpl(4, 8, new LongPointer(3L, 3L)));
        final LinearImpl fc = register_module("fc", new LinearImpl(8, 10));
    }

    /** make_fixtures.py's Tied (emb.weight and out.weight are one tensor in Python). */
    static final class Tied extends Module {
        final EmbeddingImpl emb = register_module("emb", new EmbeddingImpl(10, 4));
        final LinearImpl out;

        Tied() {
            LinearOptions options = new LinearOptions(4, 10);
            options.bias().put(false);
            out = register_module("out", new LinearImpl(options));
        }
    }

    /** make_fixtures.py's NonContiguous: a transposed parameter and a sliced buffer. */
    static final class NonContiguous extends Module {
        NonContiguous() {
            register_parameter("w_t", zeros(3, 5));
            register_buffer("window", zeros(3, 5));
        }
    }
}
