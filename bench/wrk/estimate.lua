-- wrk -s bench/wrk/estimate.lua: POST the seed's estimate (bench/loadgen's estimateBody) as the demo
-- provider. wrk is a C load generator: on the two cores the server shares, it leaves the
-- server more CPU than bench/loadgen (Go, vegeta) does.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer demo-provider-token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"SALES","accountId":"00b60056-8b0a-4981-8ca4-d114346cd652","promoCode":"123","products":[{"planId":"6b64da9a-f8e6-4cbd-8aef-de304a27b627","period":{"unit":"MONTHS","duration":1},"resources":[{"resourceId":"2f8905f8-4302-49d7-ab7f-65c9036addf0","amount":20}]}]}'
wrk.path = "/aps/2/services/order-manager/orders/estimate"
