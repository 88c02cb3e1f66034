package dev.jlightning.checkpoint;

import java.io.ByteArrayOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

/** LibTorch archives to and from bytes in memory, so a checkpoint's tensors travel inside JLightning's container. */
final class TorchArchives {

    private TorchArchives() {
    }

    static byte[] toBytes(OutputArchive archive) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        byte[] chunk = new byte[1 << 16];
        ArchiveWriter writer = new ArchiveWriter() {
            @Override
            public long call(Pointer data, long size) {
                BytePointer bytes = new BytePointer(data).capacity(size);
                for (long done = 0; done < size; ) {
                    int n = (int) Math.min(chunk.length, size - done);
                    bytes.position(done).get(chunk, 0, n);
                    out.write(chunk, 0, n);
                    done += n;
                }
                return size;
            }
        };
        try {
            archive.save_to(writer);
        } finally {
            writer.close();
        }
        return out.toByteArray();
    }

    /** Opens bytes that {@link ArchiveInspector} has accepted. The pointer must stay open while the archive is read. */
    static InputArchive fromBytes(byte[] bytes, BytePointer holder) {
        holder.put(bytes, 0, bytes.length);
        InputArchive in = new InputArchive();
        in.load_from(holder, bytes.length);
        return in;
    }
}
