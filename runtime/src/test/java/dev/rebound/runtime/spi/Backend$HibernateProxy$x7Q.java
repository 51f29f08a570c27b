package dev.rebound.runtime.spi;

/** Stands for a subclass a library generates at run time (top level, a generator's mark, never woven). */
public class Backend$HibernateProxy$x7Q extends GeneratedSubclassesTest.Backend {
}
