package dev.jlightning.logging.tensorboard;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes {@code tensorboard.Event} records to one new event file in a directory.
 *
 * <p>Counterpart of TensorBoard's {@code EventFileWriter} (used by {@code torch.utils.tensorboard}): the file is
 * named {@code events.out.tfevents.<%010d seconds>.<host>.<pid>.<n>} with {@code n} counting the writers opened by
 * this process; its first record is the {@code file_version: "brain.Event:2"} event, flushed at once; every later
 * event is buffered and the buffer reaches the file when an event arrives more than {@code flushSecs} after the
 * previous scheduled flush (TensorBoard's writer thread applies the same test after each write), on
 * {@link #flush()} and on {@link #close()}. The check runs on the caller's thread instead of a background one, so
 * the schedule depends on the injected {@link WallClock} only. Not thread-safe; the logger that owns it
 * serializes calls.
 */
public final class EventFileWriter implements Closeable {

    /** The version every TensorBoard event file starts with. */
    public static final String FILE_VERSION = "brain.Event:2";

    // event.proto: Event and SourceMetadata
    static final int EVENT_WALL_TIME = 1;
    static final int EVENT_STEP = 2;
    static final int EVENT_FILE_VERSION = 3;
    static final int EVENT_SUMMARY = 5;
    static final int EVENT_SOURCE_METADATA = 10;
    static final int SOURCE_METADATA_WRITER = 1;

    /** What the first event names as its writer, where TensorBoard's own writer names itself. */
    static final String WRITER_NAME = "dev.jlightning.logging.TensorBoardLogger";

    private static final AtomicInteger NEXT_UID = new AtomicInteger();

    private final Path path;
    private final WallClock clock;
    private final double flushSecs;
    private final OutputStream file;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private double nextFlushTime;
    private boolean closed;

    private EventFileWriter(Path path, WallClock clock, double flushSecs, OutputStream file) {
        this.path = path;
        this.clock = clock;
        this.flushSecs = flushSecs;
        this.file = file;
    }

    /**
     * Creates {@code logDir} if needed and a new event file in it, holding the file-version event.
     *
     * @param flushSecs how long buffered events may wait for the next write before it flushes them; positive
     * @throws IllegalArgumentException if {@code flushSecs} is not a positive finite number
     * @throws UncheckedIOException if the directory or file cannot be created
     */
    public static EventFileWriter open(Path logDir, WallClock clock, double flushSecs) {
        if (!(flushSecs > 0) || Double.isInfinite(flushSecs)) {
            throw new IllegalArgumentException("flushSecs must be a positive number of seconds, got " + flushSecs);
        }
        double now = clock.seconds();
        String name = String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d",
                (long) now, hostName(), ProcessHandle.current().pid(), NEXT_UID.getAndIncrement());
        Path path = logDir.resolve(name);
        OutputStream out;
        try {
            Files.createDirectories(logDir);
            out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create TensorBoard event file " + path, e);
        }
        EventFileWriter writer = new EventFileWriter(path, clock, flushSecs, out);
        try {
            writer.append(new ProtoWriter()
                    .doubleField(EVENT_WALL_TIME, now)
                    .oneofString(EVENT_FILE_VERSION, FILE_VERSION)
                    .messageField(EVENT_SOURCE_METADATA,
                            new ProtoWriter().stringField(SOURCE_METADATA_WRITER, WRITER_NAME)));
            writer.flush();
        } catch (RuntimeException e) {
            try {
                out.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        writer.nextFlushTime = now + flushSecs;
        return writer;
    }

    /** The event file's path. */
    public Path path() {
        return path;
    }

    /**
     * Appends an event holding {@code summary} (an encoded {@code tensorboard.Summary}), stamped with the clock's
     * time, and flushes if the flush interval has passed.
     *
     * @param step the global step, or empty to leave the field unset (read as 0), as {@code add_summary} does
     *     without {@code global_step}
     * @throws IllegalStateException if the writer is closed
     */
    public void addSummary(ByteString summary, OptionalLong step) {
        ensureOpen();
        double now = clock.seconds();
        append(new ProtoWriter()
                .doubleField(EVENT_WALL_TIME, now)
                .int64Field(EVENT_STEP, step.orElse(0L))
                .messageField(EVENT_SUMMARY, summary));
        if (now > nextFlushTime) {
            flush();
            nextFlushTime = now + flushSecs;
        }
    }

    /** Writes all buffered events to the file. */
    public void flush() {
        ensureOpen();
        try {
            pending.writeTo(file);
            pending.reset();
            file.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TensorBoard event file " + path, e);
        }
    }

    /** Flushes and closes the file; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            flush();
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close TensorBoard event file " + path, e);
        } finally {
            closed = true;
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    private void append(ProtoWriter event) {
        try {
            RecordWriter.write(pending, event.toByteString().toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot buffer a TensorBoard event", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("TensorBoard event file " + path + " is closed");
        }
    }

    /** Python's {@code socket.gethostname()}: the machine's own name, without a DNS lookup of it. */
    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // The name exists but does not resolve; the exception message starts with it ("host: host: ...").
            String message = String.valueOf(e.getMessage());
            int colon = message.indexOf(':');
            return colon > 0 ? message.substring(0, colon) : "localhost";
        }
    }
}
