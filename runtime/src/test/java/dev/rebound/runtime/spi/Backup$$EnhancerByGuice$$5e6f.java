package dev.rebound.runtime.spi;

/** Stands for a subclass a container generates at run time over Backup (top level, a generator's mark). */
public class Backup$$EnhancerByGuice$$5e6f extends FallbackContextAlternativesTest.Backup {
}
