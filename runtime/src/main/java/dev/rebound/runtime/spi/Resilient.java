package dev.rebound.runtime.spi;

/**
 * Marks a class whose methods apply their Rebound policies themselves: the weaver adds it (through
 * {@code dev.rebound.weaver.Woven}) to every woven class that carries a policy. Never implement it
 * yourself; ask {@code Rebound.isResilient(object)} instead.
 */
public interface Resilient {
}
