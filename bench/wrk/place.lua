-- wrk -s bench/wrk/place.lua: placeOrder with the bodies of bench/loadgen's place scenario (the
-- seed's sales order for the four demo customers, a resource amount of 1–40 and an ORDER_ID1
-- attribute unique to each request), as the demo provider. Each wrk thread numbers its
-- requests from its own offset, so every order is distinct.
local customers = {
  "3fef9702-b2ad-419a-9924-a56882e5f06c", "00b60056-8b0a-4981-8ca4-d114346cd652",
  "d7dd06ef-20a0-41f5-b89f-768ef373ae44", "9d086478-d00b-40c2-86df-7bc9b862e667",
}
local headers = {
  ["Authorization"] = "Bearer demo-provider-token",
  ["Content-Type"] = "application/json",
}
local path = "/aps/2/services/order-manager/orders"
local threads, n = 0, 0

function setup(thread)
  thread:set("offset", threads * 1000000000)
  threads = threads + 1
end

function request()
  n = n + 1
  local i = offset + n
  local body = string.format('{"type":"SALES","accountId":"%s","promoCode":"123","products":[{"planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":%d}]}],"attributes":[{"attributeID":"ORDER_ID1","value":"wrk-%d"}]}',
    customers[i % #customers + 1], 1 + i % 40, i)
  return wrk.format("POST", path, headers, body)
end
