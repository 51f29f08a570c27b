package dev.rebound.weaver;

/**
 * Marks a class compiled with the Rebound aspect library: its public methods already apply their
 * {@code @Retry} / {@code @Fallback} policies. Added by the aspect ({@code declare parents}); never
 * implement it yourself. {@link dev.rebound.weaver.guice.ReboundModule} leaves such classes alone, so
 * a woven class provided by an injector applies its policy exactly once.
 */
public interface Woven extends dev.rebound.runtime.spi.Resilient {
}
