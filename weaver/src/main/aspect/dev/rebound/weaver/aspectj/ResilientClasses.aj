package dev.rebound.weaver.aspectj;

import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.internal.Sites;
import dev.rebound.weaver.internal.Slot;
import org.aspectj.lang.JoinPoint;

/**
 * {@link ResilientCalls}' advices on the join points of {@link dev.rebound.weaver.Woven} classes, with
 * one instance of this aspect per class (ajc keeps it in a static field of the class itself), which
 * holds the policies of that class's join points in an array indexed by the join point's id (ids are
 * per class). A call finds its policy with a static read, an array read and one compare (the runtime
 * class: a subclass may bring its own annotations), no hash and no shared table. A join point's slot
 * belongs to the first class whose instance runs it; any other class finds its policy in
 * {@link Sites}, as {@link ResilientMethods} does for default methods.
 *
 * <p>Privileged, so that private and package-private classes get their instance too. Compiled apart
 * from the rest of the weaver, without its module descriptor: ajc 1.9.24 fails on a
 * {@code pertypewithin} aspect in a named module (see the weaver's pom).
 */
public privileged aspect ResilientClasses extends ResilientCalls pertypewithin(dev.rebound.weaver.Woven+) {

    /** Exactly the join points {@link ResilientMethods} leaves out. */
    protected pointcut scope(): within(dev.rebound.weaver.Woven+) && !within(is(InterfaceType));

    /** This class's slots by join point id: replaced, never mutated, so a racy read sees whole slots. */
    private Slot[] slots = Slot.NONE;

    protected ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        Slot[] s = slots;
        int id = jp.getId();
        if (id < s.length) {
            Slot slot = s[id];
            if (slot != null && slot.type == self.getClass() && slot.answers(self)) {
                return slot.active(self, jp);
            }
        }
        return fill(self, jp);
    }

    /**
     * The first call of {@code jp} here, a call on another class than its slot's, or the first call of an
     * instance that carries no door's interceptor on a slot claimed for one that does (Guice's subclass, shared
     * by an injector without {@code ReboundModule}): the slot {@link Sites} keeps for the instance's class (resolved
     * outside the lock: resolving may make alternatives, which is user code), claimed here when it is the first (a
     * call of another class than the slot's takes no lock), and asked as the next calls ask it; while a door that
     * applies the policies itself is calling and nothing is kept yet, {@link Sites} answers, and nothing is claimed.
     */
    private ResilientMethod fill(Object self, JoinPoint.StaticPart jp) {
        Slot slot = Sites.slot(self, jp);
        if (slot == null) {
            return Sites.active(self, jp);
        }
        if (Slot.takes(slots, jp.getId(), slot)) {
            synchronized (this) {
                slots = Slot.claimed(slots, jp.getId(), slot);
            }
        }
        return slot.active(self, jp);
    }
}
