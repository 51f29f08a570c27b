package dev.rebound.runtime.spi;

/**
 * Stands for a subclass another version of Guice generates, which keeps no {@code GUICE$HANDLERS}: Rebound
 * cannot read its instances' chain.
 */
public class Legacy$$EnhancerByGuice$$0a1b implements Cloneable {

    /** A copy of this instance, as {@code clone()} makes it. */
    public Legacy$$EnhancerByGuice$$0a1b copy() {
        try {
            return (Legacy$$EnhancerByGuice$$0a1b) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
