package dev.jlightning.io;

/**
 * The weight-file formats JLightning reads and writes.
 *
 * <p>Counterparts: Hugging Face {@code safetensors.torch.save_file}; {@code torch.save(model.state_dict())}; and a
 * Lightning {@code .ckpt} as {@code trainer.save_checkpoint} writes it (a dict with {@code state_dict},
 * {@code epoch}, {@code global_step}, {@code hyper_parameters}, {@code pytorch-lightning_version}).
 */
public enum WeightsFormat {
    /** Hugging Face safetensors, usually {@code .safetensors}. */
    SAFETENSORS(".safetensors"),
    /** A {@code torch.save} zip holding an {@code OrderedDict} of tensors, usually {@code .pt} or {@code .pth}. */
    TORCH_STATE_DICT(".pt"),
    /** A {@code torch.save} zip holding a Lightning-shaped checkpoint dict, usually {@code .ckpt}. */
    LIGHTNING_CHECKPOINT(".ckpt");

    private final String extension;

    WeightsFormat(String extension) {
        this.extension = extension;
    }

    /** The usual file extension, with its dot. */
    public String extension() {
        return extension;
    }
}
