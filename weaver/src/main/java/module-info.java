/**
 * Rebound's doors: the AspectJ aspect library, the Guice module and the annotation processor. On the
 * class path (where ajc, the load-time agent and most applications put it) this descriptor is ignored
 * and the jar behaves as before.
 */
module dev.rebound.weaver {
    requires transitive dev.rebound.runtime;
    requires transitive org.aspectj.runtime;
    requires static com.google.guice;
    requires static aopalliance;
    requires static jakarta.inject;
    requires static java.compiler;

    exports dev.rebound.weaver;
    exports dev.rebound.weaver.aspectj;
    exports dev.rebound.weaver.guice;
    exports dev.rebound.weaver.processor;
    /** What the advice inlined into woven classes calls; not for applications. */
    exports dev.rebound.weaver.internal;

    provides javax.annotation.processing.Processor with dev.rebound.weaver.processor.ReboundProcessor;
}
