# Inventory and order pipeline: products, stock, orders with discounts,
# fulfilment in priority order, and a summary. Plain top-level code (no
# main function).
#
# Covers: inheritance and super(), @property, @staticmethod/@classmethod,
# __eq__/__hash__/__lt__/__repr__, dict/set/list comprehensions,
# generator expressions, *args/**kwargs, default arguments, sorted with
# lambda keys, callbacks, a module-level counter with `global`.

from collections import defaultdict

TAX_RATE = 0.2
FREE_SHIPPING_OVER = 150.0
SHIPPING_FLAT = 7.5
CATEGORIES = ("tools", "garden", "kitchen", "toys", "books")

orders_processed = 0


class OutOfStock(Exception):
    def __init__(self, sku, wanted, available):
        super().__init__(f"{sku}: wanted {wanted}, have {available}")
        self.sku = sku
        self.wanted = wanted
        self.available = available


class Product:
    def __init__(self, sku, name, price, category, weight=1.0):
        self.sku = sku
        self.name = name
        self.price = price
        self.category = category
        self.weight = weight

    @property
    def price_with_tax(self):
        return round(self.price * (1 + TAX_RATE), 2)

    def __eq__(self, other):
        return isinstance(other, Product) and self.sku == other.sku

    def __hash__(self):
        return hash(self.sku)

    def __repr__(self):
        return f"Product({self.sku!r}, {self.price:.2f})"


class PerishableProduct(Product):
    def __init__(self, sku, name, price, category, shelf_days, **kw):
        super().__init__(sku, name, price, category, **kw)
        self.shelf_days = shelf_days

    @property
    def price_with_tax(self):
        base = super().price_with_tax
        return round(base * 0.9, 2) if self.shelf_days < 3 else base


class LineItem:
    def __init__(self, product, qty):
        self.product = product
        self.qty = qty

    @property
    def total(self):
        return self.product.price_with_tax * self.qty

    def __repr__(self):
        return "%dx%s" % (self.qty, self.product.sku)


class Order:
    PRIORITY = {"express": 0, "standard": 1, "economy": 2}

    def __init__(self, number, customer, *items, service="standard", **meta):
        self.number = number
        self.customer = customer
        self.items = list(items)
        self.service = service
        self.meta = meta
        self.status = "new"

    @classmethod
    def from_spec(cls, number, customer, catalog, spec, **kw):
        items = [LineItem(catalog[sku], qty) for sku, qty in spec]
        return cls(number, customer, *items, **kw)

    @staticmethod
    def shipping_for(subtotal, weight):
        if subtotal >= FREE_SHIPPING_OVER:
            return 0.0
        return SHIPPING_FLAT + max(0.0, weight - 5.0) * 0.8

    @property
    def subtotal(self):
        return sum(item.total for item in self.items)

    @property
    def weight(self):
        return sum(i.product.weight * i.qty for i in self.items)

    def total(self, discount=None):
        sub = self.subtotal
        if discount is not None:
            sub = discount(self, sub)
        return round(sub + Order.shipping_for(sub, self.weight), 2)

    def __lt__(self, other):
        return (Order.PRIORITY[self.service], self.number) < \
            (Order.PRIORITY[other.service], other.number)

    def __len__(self):
        return sum(i.qty for i in self.items)

    def __iter__(self):
        return iter(self.items)

    def __repr__(self):
        return f"Order#{self.number}({self.customer}, {self.items})"


class Warehouse:
    def __init__(self, name, stock=None):
        self.name = name
        self.stock = dict(stock or {})
        self.reserved = defaultdict(int)
        self.listeners = []

    def on(self, callback):
        self.listeners.append(callback)
        return callback

    def emit(self, event, *args):
        for cb in self.listeners:
            cb(event, *args)

    def available(self, sku):
        return self.stock.get(sku, 0) - self.reserved[sku]

    def reserve(self, order):
        missing = [(i.product.sku, i.qty, self.available(i.product.sku))
                   for i in order if self.available(i.product.sku) < i.qty]
        if missing:
            sku, wanted, have = missing[0]
            raise OutOfStock(sku, wanted, have)
        for item in order:
            self.reserved[item.product.sku] += item.qty
        self.emit("reserved", order)

    def ship(self, order):
        for item in order:
            sku = item.product.sku
            self.stock[sku] -= item.qty
            self.reserved[sku] -= item.qty
        order.status = "shipped"
        self.emit("shipped", order)

    def restock(self, amount=25, threshold=5):
        low = {sku for sku, n in self.stock.items() if n < threshold}
        for sku in low:
            self.stock[sku] += amount
        if low:
            self.emit("restocked", sorted(low))
        return low


def loyalty_discount(tiers):
    def discount(order, subtotal):
        rate = tiers.get(order.meta.get("tier", "none"), 0.0)
        return subtotal * (1 - rate)
    return discount


def bulk_discount(threshold=10, rate=0.05):
    return lambda order, subtotal: subtotal * (1 - rate) if len(order) >= threshold else subtotal


def chain(*discounts):
    def apply(order, subtotal):
        for d in discounts:
            subtotal = d(order, subtotal)
        return subtotal
    return apply


def process(warehouse, orders, discount):
    global orders_processed
    revenue = 0.0
    failed = []
    for order in sorted(orders):
        orders_processed += 1
        try:
            warehouse.reserve(order)
        except OutOfStock as e:
            order.status = "backorder"
            failed.append((order.number, e.sku))
            continue
        revenue += order.total(discount)
        warehouse.ship(order)
        if orders_processed % 50 == 0:
            warehouse.restock()
    return revenue, failed


def build_catalog(n):
    catalog = {}
    for i in range(n):
        sku = "SKU-%04d" % i
        cat = CATEGORIES[i % len(CATEGORIES)]
        price = 2.5 + (i * 37 % 200) / 4
        if cat == "kitchen" and i % 3 == 0:
            catalog[sku] = PerishableProduct(sku, f"item {i}", price, cat, i % 7,
                                             weight=0.5 + i % 4)
        else:
            catalog[sku] = Product(sku, f"item {i}", price, cat, weight=1 + i % 6 * 0.5)
    return catalog


def make_orders(catalog, count, seed=3):
    skus = sorted(catalog)
    x = seed
    orders = []
    for n in range(count):
        spec = []
        for _ in range(1 + n % 4):
            x = (x * 48271) % 2147483647
            spec.append((skus[x % len(skus)], 1 + x % 5))
        service = ("express", "standard", "economy")[x % 3]
        tier = ("none", "silver", "gold")[(x >> 4) % 3]
        orders.append(Order.from_spec(1000 + n, "cust%03d" % (x % 97), catalog,
                                      spec, service=service, tier=tier))
    return orders


events = defaultdict(int)
catalog = build_catalog(120)
warehouse = Warehouse("main", {sku: 20 + i % 15 for i, sku in enumerate(sorted(catalog))})


@warehouse.on
def count_events(event, *args):
    events[event] += 1


restocked = []
warehouse.on(lambda event, *args: restocked.extend(args[0]) if event == "restocked" else None)

discount = chain(loyalty_discount({"silver": 0.03, "gold": 0.08}), bulk_discount())
total_revenue = 0.0
all_failed = []
for batch in range(10):
    orders = make_orders(catalog, 700, seed=batch + 1)
    revenue, failed = process(warehouse, orders, discount)
    total_revenue += revenue
    all_failed.extend(failed)
    shipped = [o for o in orders if o.status == "shipped"]
    print(f"batch {batch}: {len(shipped):4d} shipped, {len(failed):3d} backordered, "
          f"revenue {revenue:>12,.2f}")

print("orders processed:", orders_processed)
print("total revenue: %.2f" % total_revenue)
print("events:", dict(sorted(events.items())))
print("restocked skus:", len(restocked), "distinct:", len(set(restocked)))
by_cat = defaultdict(int)
for sku, n in warehouse.stock.items():
    by_cat[catalog[sku].category] += n
print("stock by category:", {c: by_cat[c] for c in CATEGORIES})
worst = sorted({sku for _, sku in all_failed}, key=lambda s: (-sum(1 for _, k in all_failed if k == s), s))[:5]
print("most backordered:", worst)
cheap = min(catalog.values(), key=lambda p: (p.price_with_tax, p.sku))
print("cheapest:", cheap, cheap.price_with_tax)
sample = make_orders(catalog, 3, seed=99)
for o in sample:
    print(repr(o), len(o), o.total(), o.total(discount))
assert all(n >= 0 for n in warehouse.stock.values())
assert all(v == 0 for v in warehouse.reserved.values())
