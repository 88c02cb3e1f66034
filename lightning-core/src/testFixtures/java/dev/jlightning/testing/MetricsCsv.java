package dev.jlightning.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** A metrics.csv read back for assertions: the raw text, the header and each row's cells. */
public final class MetricsCsv {

    private final String text;
    private final List<String> header;
    private final List<List<String>> rows;

    private MetricsCsv(String text) {
        this.text = text;
        List<String> lines = Arrays.asList(text.split("\r\n", -1));
        if (!lines.get(lines.size() - 1).isEmpty()) {
            throw new IllegalStateException("metrics.csv does not end with CRLF: " + text);
        }
        this.header = Arrays.asList(lines.get(0).split(",", -1));
        this.rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            rows.add(Arrays.asList(line.split(",", -1)));
        }
    }

    public static MetricsCsv read(Path file) {
        try {
            return new MetricsCsv(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file under {@code <saveDir>/lightning_logs/version_0}. */
    public static MetricsCsv version0(Path saveDir) {
        return read(saveDir.resolve("lightning_logs/version_0/metrics.csv"));
    }

    public String text() {
        return text;
    }

    public List<String> header() {
        return header;
    }

    public List<List<String>> rows() {
        return rows;
    }

    /** Every row restricted to {@code columns}, joined with commas: {@code ",0.1,5"}. */
    public List<String> project(String... columns) {
        int[] idx = Arrays.stream(columns).mapToInt(this::index).toArray();
        return rows.stream()
                .map(r -> Arrays.stream(idx).mapToObj(r::get).collect(Collectors.joining(",")))
                .collect(Collectors.toList());
    }

    /**
     * Every row joined with commas, with the non-empty cells of {@code masked} replaced by {@code *}: for columns
     * whose values depend on LibTorch numerics (losses), which are compared by presence and position only.
     */
    public List<String> masked(String... masked) {
        List<Integer> idx = Arrays.stream(masked).filter(header::contains).map(this::index).toList();
        List<String> out = new ArrayList<>();
        for (List<String> r : rows) {
            List<String> cells = new ArrayList<>(r);
            for (int i : idx) {
                if (!cells.get(i).isEmpty()) {
                    cells.set(i, "*");
                }
            }
            out.add(String.join(",", cells));
        }
        return out;
    }

    /** The rows whose {@code column} cell is not empty, restricted to {@code columns}. */
    public List<String> projectWhere(String column, String... columns) {
        int c = index(column);
        int[] idx = Arrays.stream(columns).mapToInt(this::index).toArray();
        return rows.stream()
                .filter(r -> !r.get(c).isEmpty())
                .map(r -> Arrays.stream(idx).mapToObj(r::get).collect(Collectors.joining(",")))
                .collect(Collectors.toList());
    }

    private int index(String column) {
        int i = header.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + header);
        }
        return i;
    }
}
