package dev.tresor.kms.store;

class MemoryStoreTest implements StoreContract {
    @Override
    public Store newStore() {
        return new MemoryStore();
    }
}
