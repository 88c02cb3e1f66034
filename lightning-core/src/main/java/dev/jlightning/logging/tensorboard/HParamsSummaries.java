package dev.jlightning.logging.tensorboard;

import com.google.protobuf.ByteString;
import com.google.protobuf.Value;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Builds the three encoded {@code tensorboard.Summary} messages through which TensorBoard's HPARAMS dashboard
 * learns a run's hyperparameters: the experiment, the session start info and the session end info.
 *
 * <p>Counterpart of {@code torch.utils.tensorboard.summary.hparams(hparam_dict, metric_dict)}, which Lightning's
 * {@code TensorBoardLogger.log_hyperparams} calls. Each summary has one value with no payload, only
 * {@code SummaryMetadata} whose plugin is {@code hparams} and whose content is an {@code HParamsPluginData}
 * (version 0) holding, under the tags {@code _hparams_/experiment}, {@code _hparams_/session_start_info} and
 * {@code _hparams_/session_end_info}: an {@code Experiment} listing every hyperparameter's name and type and every
 * metric's tag; a {@code SessionStartInfo} mapping each name to a {@code google.protobuf.Value}; and a
 * {@code SessionEndInfo} with status {@code STATUS_SUCCESS}. As in torch, numbers are {@code DATA_TYPE_FLOAT64},
 * strings {@code DATA_TYPE_STRING}, and booleans, being Python ints, numbers (1.0 or 0.0) of type
 * {@code DATA_TYPE_FLOAT64}.
 */
public final class HParamsSummaries {

    /** The hparams plugin's name and plugin-data version ({@code tensorboard.plugins.hparams.metadata}). */
    static final String PLUGIN_NAME = "hparams";
    static final String EXPERIMENT_TAG = "_hparams_/experiment";
    static final String SESSION_START_INFO_TAG = "_hparams_/session_start_info";
    static final String SESSION_END_INFO_TAG = "_hparams_/session_end_info";

    // plugin_data.proto: HParamsPluginData (version 0 is the default, so it is never written)
    static final int PLUGIN_DATA_EXPERIMENT = 2;
    static final int PLUGIN_DATA_SESSION_START_INFO = 3;
    static final int PLUGIN_DATA_SESSION_END_INFO = 4;
    // plugin_data.proto: SessionStartInfo, its map entry, SessionEndInfo
    static final int START_HPARAMS = 1;
    static final int MAP_KEY = 1;
    static final int MAP_VALUE = 2;
    static final int END_STATUS = 1;
    // api.proto: Experiment, HParamInfo, MetricInfo, MetricName, DataType, Status
    static final int EXPERIMENT_HPARAM_INFOS = 4;
    static final int EXPERIMENT_METRIC_INFOS = 5;
    static final int HPARAM_INFO_NAME = 1;
    static final int HPARAM_INFO_TYPE = 4;
    static final int METRIC_INFO_NAME = 1;
    static final int METRIC_NAME_TAG = 2;
    static final int DATA_TYPE_STRING = 1;
    static final int DATA_TYPE_FLOAT64 = 3;
    static final int STATUS_SUCCESS = 1;

    private HParamsSummaries() {
    }

    /**
     * The experiment, session start info and session end info summaries, in the order Lightning writes them.
     *
     * @param hparams flat hyperparameters whose values are booleans, numbers or strings (see
     *     {@link HParams#flattenAndSanitize(Map)})
     * @param metricTags the tags of the metrics the HPARAMS dashboard shows next to the hyperparameters
     * @throws IllegalArgumentException if a value is of another type
     */
    public static List<ByteString> of(Map<String, ?> hparams, Collection<String> metricTags) {
        ProtoWriter experiment = new ProtoWriter();
        ProtoWriter start = new ProtoWriter();
        for (Map.Entry<String, ?> e : hparams.entrySet()) {
            Value value = protoValue(e.getKey(), e.getValue());
            int type = value.getKindCase() == Value.KindCase.STRING_VALUE ? DATA_TYPE_STRING : DATA_TYPE_FLOAT64;
            experiment.messageField(EXPERIMENT_HPARAM_INFOS, new ProtoWriter()
                    .stringField(HPARAM_INFO_NAME, e.getKey())
                    .enumField(HPARAM_INFO_TYPE, type));
            // Map entries always carry key and value, as protobuf's map serializers write them.
            start.messageField(START_HPARAMS, new ProtoWriter()
                    .oneofString(MAP_KEY, e.getKey())
                    .messageField(MAP_VALUE, value.toByteString()));
        }
        for (String tag : metricTags) {
            experiment.messageField(EXPERIMENT_METRIC_INFOS, new ProtoWriter()
                    .messageField(METRIC_INFO_NAME, new ProtoWriter().stringField(METRIC_NAME_TAG, tag)));
        }
        ProtoWriter end = new ProtoWriter().enumField(END_STATUS, STATUS_SUCCESS);
        return List.of(
                summary(EXPERIMENT_TAG, PLUGIN_DATA_EXPERIMENT, experiment),
                summary(SESSION_START_INFO_TAG, PLUGIN_DATA_SESSION_START_INFO, start),
                summary(SESSION_END_INFO_TAG, PLUGIN_DATA_SESSION_END_INFO, end));
    }

    private static Value protoValue(String name, Object v) {
        if (v instanceof String s) {
            return Value.newBuilder().setStringValue(s).build();
        }
        if (v instanceof Boolean b) {
            // torch tests isinstance(v, (int, float)) first, and a Python bool is an int.
            return Value.newBuilder().setNumberValue(b ? 1.0 : 0.0).build();
        }
        if (v instanceof Number n) {
            return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        }
        throw new IllegalArgumentException("hyperparameter '" + name + "' has a value of type "
                + (v == null ? "null" : v.getClass().getName())
                + "; TensorBoard's hparams accept a boolean, number or string");
    }

    private static ByteString summary(String tag, int dataField, ProtoWriter data) {
        ByteString content = new ProtoWriter().messageField(dataField, data).toByteString();
        ProtoWriter value = new ProtoWriter()
                .stringField(Summaries.VALUE_TAG, tag)
                .messageField(Summaries.VALUE_METADATA, Summaries.pluginMetadata(PLUGIN_NAME, content));
        return Summaries.summary(value);
    }
}
