-- 0024 ticket terms: what an event's tickets allow, as ticketing's `event_created` says it
-- (transfers, resale and its cap and royalty, refunds while postponed). The mirror copies
-- the flags onto each ticket it writes (tickets.is_transferable, is_resaleable,
-- is_refundable). NULL: not published on chain, or published by a contract that did not say.
ALTER TABLE events
    ADD COLUMN tickets_transferable boolean,
    ADD COLUMN tickets_resaleable   boolean,
    ADD COLUMN tickets_refundable   boolean,
    -- highest resale price, basis points of face value (11 000 = 110 %)
    ADD COLUMN resale_cap_bps       integer,
    -- resale royalty to the event's escrow, basis points of the resale price
    ADD COLUMN royalty_bps          integer,
    ADD CONSTRAINT events_resale_cap_bps_check CHECK (resale_cap_bps >= 10000),
    ADD CONSTRAINT events_royalty_bps_check CHECK (royalty_bps BETWEEN 0 AND 10000),
    -- resale needs transfers
    ADD CONSTRAINT events_tickets_resale_check CHECK (NOT tickets_resaleable OR tickets_transferable);
