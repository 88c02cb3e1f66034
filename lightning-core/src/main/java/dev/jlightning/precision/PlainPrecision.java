package dev.jlightning.precision;

/** {@code "32-true"}: every default of {@link Precision}, nothing converted or wrapped. */
final class PlainPrecision implements Precision {

    static final PlainPrecision INSTANCE = new PlainPrecision();

    private PlainPrecision() {
    }

    @Override
    public String name() {
        return "32-true";
    }

    @Override
    public String toString() {
        return "Precision(32-true)";
    }
}
