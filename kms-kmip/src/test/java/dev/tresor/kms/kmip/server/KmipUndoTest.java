package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.message.ResultStatus;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batch Error Continuation Option Undo over real mutual TLS against a real core: when an item
 * fails, what the items before it changed is taken back, and they answer Operation Undone.
 */
class KmipUndoTest {
    private static final int AES = 0x03;
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int PRE_ACTIVE = 1;
    private static final int UNDO = 3;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static Ttlv[] aes(Kmip kmip, String name) {
        return new Ttlv[] {Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT), Kmip.name(name))};
    }

    /** A Create item for a batch. */
    private static Ttlv create(Kmip kmip, String name) {
        return Requests.item(Operation.CREATE, aes(kmip, name));
    }

    /** Creates a key on its own, outside any batch. */
    private static String created(Kmip kmip, String name) throws Exception {
        return kmip.ok(Operation.CREATE, aes(kmip, name)).require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    private static Ttlv owner(String team) {
        return Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner"),
                Ttlv.text(Tag.ATTRIBUTE_VALUE, team));
    }

    private static List<Ttlv> undoable(KmipTestClient client, ProtocolVersion version, Ttlv... items)
            throws Exception {
        return Requests.items(client.call(Requests.message(version,
                List.of(Ttlv.enumeration(Tag.BATCH_ERROR_CONTINUATION_OPTION, UNDO)), items)));
    }

    private static List<String> located(Kmip kmip, String name) throws Exception {
        return kmip.ok(Operation.LOCATE, Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, "Name"),
                        new Ttlv(Tag.ATTRIBUTE_VALUE.code(), Kmip.name(name).type(), Kmip.name(name).value())))
                .all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList();
    }

    private static int state(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.text(Tag.ATTRIBUTE_NAME, "State"))
                .require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE).asEnum();
    }

    private static List<String> attributeNames(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(uid)).all(Tag.ATTRIBUTE_NAME).stream()
                .map(Ttlv::asText).toList();
    }

    @Test
    void aFailedItemUndoesTheCreateTheActivateAndTheAttributeBeforeIt() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String kept = created(kmip, "undo-kept");

            List<Ttlv> answers = undoable(client, ProtocolVersion.V1_4,
                    create(kmip, "undo-made-in-the-batch"),
                    Requests.item(Operation.ACTIVATE, Kmip.uid(kept)),
                    Requests.item(Operation.ADD_ATTRIBUTE, Kmip.uid(kept), owner("team-a")),
                    Requests.item(Operation.GET, Kmip.uid("no-such-object")),
                    Requests.item(Operation.DESTROY, Kmip.uid(kept)));

            assertEquals(4, answers.size(), "the item after the failed one is neither run nor answered");
            for (Ttlv undone : answers.subList(0, 3)) {
                assertEquals(ResultStatus.OPERATION_UNDONE.code(), Requests.status(undone));
                assertTrue(undone.find(Tag.RESPONSE_PAYLOAD).isPresent(), "an undone item keeps the answer it had");
            }
            assertEquals(ResultStatus.OPERATION_FAILED.code(), Requests.status(answers.get(3)));
            assertEquals(ResultReason.ITEM_NOT_FOUND.code(), Requests.reason(answers.get(3)));
            String made = answers.get(0).require(Tag.RESPONSE_PAYLOAD).require(Tag.UNIQUE_IDENTIFIER).asText();

            assertEquals(List.of(), located(kmip, "undo-made-in-the-batch"), "the created key is gone");
            assertEquals(ResultReason.ITEM_NOT_FOUND.code(), kmip.refused(Operation.GET, Kmip.uid(made)));
            assertEquals(PRE_ACTIVE, state(kmip, kept), "the activation is taken back");
            assertFalse(attributeNames(kmip, kept).contains("x-owner"), "the added attribute is taken back");
            assertEquals(List.of(kept), located(kmip, "undo-kept"));
            kmip.ok(Operation.DESTROY, Kmip.uid(kept));
        }
    }

    @Test
    void aBatchWhoseItemsAllSucceedKeepsItsChanges() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            List<Ttlv> answers = undoable(client, ProtocolVersion.V2_1, create(kmip, "undo-all-succeed"),
                    Requests.item(Operation.ACTIVATE));
            assertEquals(List.of(ResultStatus.SUCCESS.code(), ResultStatus.SUCCESS.code()),
                    answers.stream().map(Requests::status).toList());
            String uid = answers.get(0).require(Tag.RESPONSE_PAYLOAD).require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(2, kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid),
                    Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE, Tag.STATE.code())).require(Tag.ATTRIBUTES)
                    .require(Tag.STATE).asEnum(), "Active");
        }
    }

    @Test
    void anAttributeChangedTwiceInTheBatchGoesBackToItsValueBeforeIt() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = created(kmip, "undo-twice");
            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), owner("team-a"));

            List<Ttlv> answers = undoable(client, ProtocolVersion.V1_4,
                    Requests.item(Operation.MODIFY_ATTRIBUTE, Kmip.uid(uid), owner("team-b")),
                    Requests.item(Operation.MODIFY_ATTRIBUTE, Kmip.uid(uid), owner("team-c")),
                    Requests.item(Operation.ACTIVATE, Kmip.uid("no-such-object")));

            assertEquals(List.of(ResultStatus.OPERATION_UNDONE.code(), ResultStatus.OPERATION_UNDONE.code(),
                    ResultStatus.OPERATION_FAILED.code()), answers.stream().map(Requests::status).toList());
            assertEquals("team-a", kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid),
                    Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner")).require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE)
                    .asText());
        }
    }
}
