package dev.jlightning.logging.tensorboard;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * Builds encoded {@code tensorboard.Summary} messages for scalars, text and histograms.
 *
 * <p>Counterpart of {@code torch.utils.tensorboard.summary.scalar}, {@code text} and {@code histogram}, with the
 * same message shapes, so TensorBoard's scalars, text and histograms dashboards read them as they read PyTorch's:
 * a scalar is a legacy {@code simple_value} (a float32), a text is a one-element {@code DT_STRING} tensor tagged
 * {@code <tag>/text_summary} with the {@code text} plugin's metadata, a histogram a {@code HistogramProto}.
 */
public final class Summaries {

    // summary.proto: Summary
    static final int SUMMARY_VALUE = 1;
    // summary.proto: Summary.Value
    static final int VALUE_TAG = 1;
    static final int VALUE_SIMPLE_VALUE = 2;
    static final int VALUE_HISTO = 5;
    static final int VALUE_TENSOR = 8;
    static final int VALUE_METADATA = 9;
    // summary.proto: SummaryMetadata and SummaryMetadata.PluginData
    static final int METADATA_PLUGIN_DATA = 1;
    static final int PLUGIN_DATA_PLUGIN_NAME = 1;
    static final int PLUGIN_DATA_CONTENT = 2;
    // histogram.proto: HistogramProto
    static final int HISTO_MIN = 1;
    static final int HISTO_MAX = 2;
    static final int HISTO_NUM = 3;
    static final int HISTO_SUM = 4;
    static final int HISTO_SUM_SQUARES = 5;
    static final int HISTO_BUCKET_LIMIT = 6;
    static final int HISTO_BUCKET = 7;
    // tensor.proto: TensorProto; tensor_shape.proto: TensorShapeProto and its Dim; types.proto: DataType
    static final int TENSOR_DTYPE = 1;
    static final int TENSOR_SHAPE = 2;
    static final int TENSOR_STRING_VAL = 8;
    static final int SHAPE_DIM = 2;
    static final int DIM_SIZE = 1;
    static final int DT_STRING = 7;

    /** The text plugin's name; its {@code TextPluginData} content is version 0, which encodes to no bytes. */
    static final String TEXT_PLUGIN_NAME = "text";
    /** What torch's {@code add_text} appends to the tag. */
    static final String TEXT_TAG_SUFFIX = "/text_summary";

    private Summaries() {
    }

    /** A scalar as {@code SummaryWriter.add_scalar} writes it: the value rounded to float32. */
    public static ByteString scalar(String tag, double value) {
        ProtoWriter v = new ProtoWriter()
                .stringField(VALUE_TAG, tag)
                .oneofFloat(VALUE_SIMPLE_VALUE, (float) value);
        return summary(v);
    }

    /** A text entry as {@code SummaryWriter.add_text} writes it, under the tag {@code <tag>/text_summary}. */
    public static ByteString text(String tag, String text) {
        ProtoWriter shape = new ProtoWriter().messageField(SHAPE_DIM, new ProtoWriter().int64Field(DIM_SIZE, 1));
        ProtoWriter tensor = new ProtoWriter()
                .enumField(TENSOR_DTYPE, DT_STRING)
                .messageField(TENSOR_SHAPE, shape)
                .repeatedBytesElement(TENSOR_STRING_VAL, ByteString.copyFrom(text, StandardCharsets.UTF_8));
        ProtoWriter v = new ProtoWriter()
                .stringField(VALUE_TAG, tag + TEXT_TAG_SUFFIX)
                .messageField(VALUE_TENSOR, tensor)
                .messageField(VALUE_METADATA, pluginMetadata(TEXT_PLUGIN_NAME, ByteString.EMPTY));
        return summary(v);
    }

    /** A histogram as {@code SummaryWriter.add_histogram} writes it. */
    public static ByteString histogram(String tag, Histogram histogram) {
        ProtoWriter histo = new ProtoWriter()
                .doubleField(HISTO_MIN, histogram.min())
                .doubleField(HISTO_MAX, histogram.max())
                .doubleField(HISTO_NUM, histogram.num())
                .doubleField(HISTO_SUM, histogram.sum())
                .doubleField(HISTO_SUM_SQUARES, histogram.sumSquares())
                .packedDoubles(HISTO_BUCKET_LIMIT, histogram.bucketLimits())
                .packedDoubles(HISTO_BUCKET, histogram.buckets());
        ProtoWriter v = new ProtoWriter()
                .stringField(VALUE_TAG, tag)
                .messageField(VALUE_HISTO, histo);
        return summary(v);
    }

    /** {@code SummaryMetadata} naming a plugin and carrying its serialized plugin data. */
    static ProtoWriter pluginMetadata(String pluginName, ByteString content) {
        ProtoWriter pluginData = new ProtoWriter()
                .stringField(PLUGIN_DATA_PLUGIN_NAME, pluginName)
                .bytesField(PLUGIN_DATA_CONTENT, content);
        return new ProtoWriter().messageField(METADATA_PLUGIN_DATA, pluginData);
    }

    /** A {@code Summary} with one value. */
    static ByteString summary(ProtoWriter value) {
        return new ProtoWriter().messageField(SUMMARY_VALUE, value).toByteString();
    }
}
