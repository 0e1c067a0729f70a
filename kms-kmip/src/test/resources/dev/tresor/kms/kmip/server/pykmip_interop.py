"""PyKMIP (Debian python3-pykmip) as a client of Tresor's KMIP port over mutual TLS.

Usage: pykmip_interop.py HOST PORT CA_PEM CLIENT_PEM CLIENT_KEY VERSION (1.2, 1.4 or 2.0)
Prints one line per step ("ok <step>") and exits non-zero at the first failure.
"""
import sys

from kmip.core import enums
from kmip.pie import objects
from kmip.pie.client import ProxyKmipClient

host, port, ca, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
version = {"1.2": enums.KMIPVersion.KMIP_1_2, "1.4": enums.KMIPVersion.KMIP_1_4,
           "2.0": enums.KMIPVersion.KMIP_2_0}[sys.argv[6]]


def step(name, condition=True):
    if not condition:
        print("FAILED " + name)
        sys.exit(1)
    print("ok " + name)


client = ProxyKmipClient(hostname=host, port=port, ca=ca, cert=cert, key=key, config_file="/dev/null",
                         kmip_version=version)
client.open()
try:
    uid = client.create(enums.CryptographicAlgorithm.AES, 256, name="pykmip-aes-" + sys.argv[6],
                        cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT,
                                                  enums.CryptographicUsageMask.DECRYPT])
    step("create", len(uid) > 0)
    state = client.get_attributes(uid, ["State"])[1][0].attribute_value.value
    step("get attributes (Pre-Active)", state == enums.State.PRE_ACTIVE)
    client.activate(uid)
    step("activate")
    located = client.locate(attributes=[
        client.attribute_factory.create_attribute(enums.AttributeType.NAME, "pykmip-aes-" + sys.argv[6])])
    step("locate by name", located == [uid])
    key_object = client.get(uid)
    step("get", len(key_object.value) == 32)
    if sys.argv[6] == "1.2":
        # Before 1.4 the GCM tag travels appended to Data, the only way PyKMIP can carry it.
        gcm = {"cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
               "block_cipher_mode": enums.BlockCipherMode.GCM, "tag_length": 16, "random_iv": True}
        ciphertext, iv = client.encrypt(b"attack at dawn!!", uid=uid, cryptographic_parameters=gcm)
        step("encrypt (GCM, tag appended)", len(ciphertext) == 32 and len(iv) == 12)
        plaintext = client.decrypt(ciphertext, uid=uid, cryptographic_parameters=gcm, iv_counter_nonce=iv)
        step("decrypt (GCM)", plaintext == b"attack at dawn!!")
    else:
        # From 1.4 on the tag has its own field, which PyKMIP drops: round-trip AES-CBC instead.
        cbc = {"cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
               "block_cipher_mode": enums.BlockCipherMode.CBC, "padding_method": enums.PaddingMethod.PKCS5,
               "random_iv": True}
        ciphertext, iv = client.encrypt(b"attack at dawn!!", uid=uid, cryptographic_parameters=cbc)
        step("encrypt (CBC, server IV)", len(ciphertext) == 32 and len(iv) == 16)
        plaintext = client.decrypt(ciphertext, uid=uid, cryptographic_parameters=cbc, iv_counter_nonce=iv)
        step("decrypt (CBC)", plaintext == b"attack at dawn!!")
    registered = client.register(objects.SymmetricKey(enums.CryptographicAlgorithm.AES, 128, bytes(range(16)),
                                                      [enums.CryptographicUsageMask.ENCRYPT,
                                                       enums.CryptographicUsageMask.DECRYPT]))
    step("register", len(registered) > 0 and client.get(registered).value == bytes(range(16)))
    public_uid, private_uid = client.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048)
    client.activate(private_uid)
    client.activate(public_uid)
    pss = {"padding_method": enums.PaddingMethod.PSS, "hashing_algorithm": enums.HashingAlgorithm.SHA_256,
           "cryptographic_algorithm": enums.CryptographicAlgorithm.RSA}
    signature = client.sign(b"hello", uid=private_uid, cryptographic_parameters=pss)
    step("sign (RSA-PSS)", len(signature) == 256)
    valid = client.signature_verify(b"hello", signature, uid=public_uid, cryptographic_parameters=pss)
    step("signature verify", valid == enums.ValidityIndicator.VALID)
    client.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
    step("revoke")
    client.destroy(uid)
    state = client.get_attributes(uid, ["State"])[1][0].attribute_value.value
    step("destroy", state == enums.State.DESTROYED)
finally:
    client.close()
print("all ok")
