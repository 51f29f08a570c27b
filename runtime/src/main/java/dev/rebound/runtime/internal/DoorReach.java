package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Resilient;
import dev.rebound.runtime.spi.ResilientEnum;

/**
 * Two questions about an object that differ for one shape only, a {@code Rebound.wrap} wrapper that applies
 * no policy (its interface and the class behind it carry none): whether the object applies a policy to
 * at least one of its methods ({@code Rebound.isResilient}), and whether a door made it or reached its class
 * at all, which is what decides, for instance, that {@code Rebound.wrap} returns it as it is. A woven class,
 * a woven enum and a class Guice's door intercepts are marked only when they carry a policy, so both
 * questions answer alike for them.
 */
public final class DoorReach {

    private DoorReach() {
    }

    /**
     * Whether {@code object} applies at least one policy: a wrapper (JDK proxy or generated class) with a
     * policy on at least one method, an instance of a woven class or a constant of a woven enum (marked only
     * when the class carries a policy), or an instance of a subclass Guice's {@code ReboundModule}
     * intercepts. False for null.
     */
    public static boolean appliesPolicy(Object object) {
        return object != null && (ResilientProxy.appliesPolicy(object) || classCarriesPolicy(object));
    }

    /**
     * Whether a door made {@code object} (a wrapper, with policies or without) or applies the policies its
     * class carries (woven, intercepted). False for null.
     */
    public static boolean madeByDoor(Object object) {
        return object != null && (ResilientProxy.isWrapper(object) || classCarriesPolicy(object));
    }

    private static boolean classCarriesPolicy(Object object) {
        return object instanceof Resilient
                || object instanceof Enum<?> && object.getClass().isAnnotationPresent(ResilientEnum.class)
                || ContainerInterception.intercepts(object.getClass());
    }
}
