package dev.rebound.runtime.spi;

/** Stands for a subclass a container generates at run time over Guarded, which has a breaker and a rate limit. */
public class Guarded$$EnhancerByGuice$$9c0d extends GeneratedSubclassKeysTest.Guarded {
}
