"""Curated label map for sound effects: file path → (fine class, coarse class, caption phrases).

Rules are matched in order against "<package>:<path without extension>", lowercased; the first match wins,
a class of None skips the file (speech, voice lines, music, cryptic names). Fine classes are shared across
packages (footsteps on gravel from 0 A.D. and Minetest are one class).
"""
from __future__ import annotations

import re

# fine class -> (coarse class, caption phrases; the first phrase is the canonical description)
CLASSES: dict[str, tuple[str, list[str]]] = {}


def _c(name: str, coarse: str, *phrases: str) -> str:
    CLASSES[name] = (coarse, list(phrases) or [name])
    return name


SKIP = None
F, I, W, X, A, N, WA, FI, T, D, V, VO, UI, AL, S, MV = (
    "footsteps", "impacts", "weapons", "explosions", "animals", "weather and nature", "water", "fire",
    "tools and work", "doors and containers", "vehicles", "vocalisations", "ui and notifications", "alarms",
    "sci-fi", "movement")

RULES: list[tuple[str, str | None]] = [
    # ---- skip: speech, voices, music, unclear ----
    (r"/music|/voice|/vo_|vo_teefault_(ninja|sledge|spawn)|audio-channel|audio-test-signal|_ack|_select|tutorial"
     r"|interface/(complete|select)/building|/ringtones/(?!alarm|wind chime)|soundstuff|rand-stream|menu/sound/sonar", SKIP),
    # megaglest: only names whose sound is unambiguous (unit attacks and deaths mix voices with effects)
    (r"^megaglest-data:(?!.*(sheep|chicken|cow_die|mudchute_cow|/bee|owl|rooster|wolf|hawk|/rain|wind|water_sounds|/night|nightime|/day|sunny_day|desertday|good_morning|/hell$|arrow_hit|firearrowhit|catapult_(attack|hit|walk)|anvil|harvest_wood|worker_mine|technician_mine|building_fall|click|highlight|attention|/bull|pig_|wild_sow|/ele|dragon|eagle|wicker_fire|behemoth_(attack|die)))", SKIP),
    # ---- footsteps ----
    (r"fs_gravel|footstep_gravel|gravel_footstep", _c("footsteps on gravel", F, "footsteps on gravel", "walking on gravel", "crunchy footsteps on gravel")),
    (r"fs_grass|footstep_grass|grass_footstep|footstepgrass", _c("footsteps on grass", F, "footsteps on grass", "walking through grass", "soft steps on grass")),
    (r"fs_sand|foorstep_sand|sand_footstep", _c("footsteps on sand", F, "footsteps on sand", "walking on sand")),
    (r"fs_snow|snow_footstep|footstepsnow", _c("footsteps on snow", F, "footsteps in snow", "crunching snow underfoot", "walking on snow")),
    (r"fs_rock|footstep_rock|hard_footstep|footstepstone", _c("footsteps on stone", F, "footsteps on stone", "walking on a stone floor", "hard footsteps on rock")),
    (r"fs_wood|footstep_wood|wood_footstep", _c("footsteps on wood", F, "footsteps on wood", "walking on a wooden floor")),
    (r"hstep_|dirt_footstep", _c("footsteps on dirt", F, "footsteps on dirt", "walking on a dirt path")),
    (r"metal_footstep", _c("footsteps on metal", F, "footsteps on metal", "walking on a metal floor")),
    (r"(ice|glass)_footstep", _c("footsteps on ice", F, "footsteps on ice", "steps on a glassy surface")),
    (r"water_footstep", _c("splashing footsteps", F, "footsteps splashing in water", "wading through shallow water")),
    (r"mounted/movement/mstep|horse_gallop|horseman_walk", _c("horse hooves", F, "horse hooves", "a horse trotting", "hoofbeats")),
    (r"foley_foot", _c("light footstep", F, "a light footstep", "a quick step")),
    # ---- impacts ----
    (r"arrow_wood", _c("arrow hitting wood", I, "an arrow hitting wood", "arrow thud into a wooden target")),
    (r"arrow_metal", _c("arrow hitting metal", I, "an arrow hitting metal", "an arrow striking armour")),
    (r"arrow_stone", _c("arrow hitting stone", I, "an arrow hitting stone", "an arrow striking a stone wall")),
    (r"arrow_dirt", _c("arrow hitting dirt", I, "an arrow hitting the ground", "an arrow landing in dirt")),
    (r"impact/arrow$|impact/arrow_?\d|arrow_hit|firearrowhit", _c("arrow impact", I, "an arrow impact", "an arrow hitting its target")),
    (r"shield_metal", _c("weapon hitting a metal shield", I, "a sword hitting a metal shield", "a clang on a metal shield")),
    (r"shield_wood", _c("weapon hitting a wooden shield", I, "a weapon hitting a wooden shield", "a knock on a wooden shield")),
    (r"sling_metal", _c("stone hitting metal", I, "a sling stone hitting metal", "a stone clanging off metal")),
    (r"sling_stone", _c("stone hitting stone", I, "a sling stone hitting rock", "stones knocking together")),
    (r"sling_wood", _c("stone hitting wood", I, "a sling stone hitting wood", "a stone knocking on wood")),
    (r"fleshimp|fleshstab|flesh_?stab|claw_?slice", _c("stab into flesh", I, "a stab into flesh", "a gory stabbing hit", "a blade piercing flesh")),
    (r"siegeprojectilehit|heavyimpact|heavy_impact|catapult_hit|/thud|tower_hit|crunch|grab-strike", _c("heavy thud", I, "a heavy thud", "a heavy impact", "a boulder crashing down")),
    (r"body_impact|foley_land|/land$|/land\d|hit_strong|hit_weak", _c("body thud", I, "a body hitting the ground", "a dull body thud")),
    (r"splat", _c("wet splat", I, "a wet splat", "a squelchy splatter")),
    (r"clank|metalhit|dig_metal|dug_metal|anvil", _c("metal clank", I, "a metal clank", "metal striking metal", "a clanging hit on metal")),
    (r"break_glass|breakglass", _c("glass breaking", I, "glass breaking", "a window shattering", "breaking glass")),
    (r"staffbreak|lugaru-data:.*/break|tool_breaks|broken", _c("wood snapping", I, "wood snapping", "a stick breaking", "a wooden staff cracking")),
    (r"punch|staffbody|staffhead|swordstaff|hammer_hit", _c("punch", I, "a punch", "a hard hit", "a blunt strike")),
    # ---- weapons ----
    (r"swordhit|swordslice", _c("swords clashing", W, "swords clashing", "a sword clash", "blades striking each other")),
    (r"sword_attack|swordman_attack|guard_attack", _c("sword fight", W, "a sword fight", "sword swings and clashes", "fighting with swords")),
    (r"spear_attack|pike_attack|spearman_attack", _c("spear thrust", W, "a spear thrust", "a spear attack")),
    (r"bow_attack|archer_attack", _c("bow firing", W, "a bow firing an arrow", "an arrow released from a bow", "a bowstring twang")),
    (r"arrowfly", _c("arrow flying past", W, "an arrow flying past", "an arrow whizzing by")),
    (r"jav_attack|axe_thrower_attack|magician/sounds/throw", _c("throwing a weapon", W, "a javelin being thrown", "throwing a weapon")),
    (r"sling_attack|weapon/sling", _c("sling throw", W, "a sling whirling and throwing", "a sling shot")),
    (r"musket|wp_gun_fire", _c("gunshot", W, "a gunshot", "a gun firing", "a single shot")),
    (r"wp_shotty_fire", _c("shotgun blast", W, "a shotgun blast", "a shotgun firing")),
    (r"knifedraw|knifesheathe", _c("knife drawn", W, "a knife being drawn", "a blade sliding into its sheath")),
    (r"knifeslice|princess/sounds/knife", _c("knife slash", W, "a knife slash", "a blade slicing")),
    (r"whoosh|hammer_swing|ninja_attack|knifeswish", _c("whoosh", MV, "a whoosh", "a fast swing through the air", "a swish")),
    (r"onager_shooting|ballist|catapult_attack", _c("catapult firing", W, "a catapult firing", "a siege engine launching a projectile")),
    (r"ram_attack$|ram_attack_?\d", _c("battering ram", W, "a battering ram hitting a gate", "a heavy ram pounding")),
    (r"wp_noammo", _c("empty gun click", W, "an empty gun clicking", "a dry fire click")),
    (r"wp_switch", _c("weapon switch", W, "switching weapons", "a weapon being readied")),
    (r"wp_ninja_hit", _c("blade hit", W, "a blade hit", "a sword strike landing")),
    (r"wp_laser_bnce", _c("laser ricochet", S, "a laser ricochet", "a laser bouncing off a wall")),
    (r"wp_laser_fire|laser|blaster|zapper|electron beam|/particle|/proton|/pulse|/ion( |$|~)|/ionic$|plasma|/repeater|disruptor|sunbeam|skylance|banisher|slicer|piercer|fire-lance|finisher|heliarch|quarg|detainer|warder|lazergun", _c("laser blast", S, "a laser blast", "a sci-fi laser gun firing", "a space weapon zap")),
    (r"rocket|torpedo|missile|sidewinder|javelin|seeker|tracker|typhoon|thunderhead|minelayer|mine deploy|wp_flump_launch|bombardment", _c("missile launch", S, "a missile launching", "a rocket launch", "a projectile being fired")),
    # ---- explosions ----
    (r"explo|atomic|nuke|tnt_explode|/meteor", _c("explosion", X, "an explosion", "a loud blast", "something exploding")),
    (r"collapse|building_fall|_die.*catapult|catapult_die", _c("building collapsing", X, "a building collapsing", "rubble falling", "a structure crumbling")),
    (r"gunpowder_burning|tnt_ignite", _c("fuse burning", FI, "a burning fuse hissing", "a lit fuse")),
    # ---- animals ----
    (r"cattle|cow_die|mudchute_cow|/bull", _c("cattle mooing", A, "a cow mooing", "cattle lowing")),
    (r"chicken|rooster", _c("chicken clucking", A, "a chicken clucking", "chickens", "a rooster")),
    (r"elephant|/ele\d|eleattack|elewalk|behemoth_attack", _c("elephant trumpeting", A, "an elephant trumpeting", "an elephant call")),
    (r"horse", _c("horse neighing", A, "a horse neighing", "a horse whinny", "horse snorting")),
    (r"lion_", _c("lion roaring", A, "a lion roaring", "a big cat roar", "a beast growling")),
    (r"peacock|flamingo|hawk|eagle|/owl$", _c("bird call", A, "a bird call", "a bird screeching", "a wild bird crying out")),
    (r"pig|wild_sow", _c("pig grunting", A, "a pig grunting", "a pig squealing")),
    (r"sheep|goat", _c("sheep bleating", A, "a sheep bleating", "a goat bleating", "baaing")),
    (r"camel", _c("camel grunting", A, "a camel grunting", "a camel groan")),
    (r"animal_death|death_camel|death_horse", _c("animal dying", A, "an animal dying", "an animal's death cry")),
    (r"bark", _c("dog barking", A, "a dog barking", "a dog barks")),
    (r"growl|snarl|wolf", _c("dog growling", A, "a dog growling", "a wolf growling", "a snarling animal")),
    (r"rabbit", _c("small animal squeaking", A, "a small animal squeaking", "a rabbit chittering")),
    (r"/bee\d|beehive|/bee$", _c("bees buzzing", A, "bees buzzing", "a swarm of bees")),
    (r"dragon(?!_rider/sounds/dr_walk)|behemoth_(attack|die)", _c("monster roar", A, "a monster roaring", "a dragon roar", "a beast bellowing")),
    # ---- nature / water / fire ----
    (r"weather/rain|/sounds/rain", _c("rain", N, "rain falling", "steady rain", "a rain shower")),
    (r"thunder", _c("thunder", N, "thunder", "a thunderclap", "rolling thunder")),
    (r"wind ?chime", _c("wind chimes", N, "wind chimes", "chimes tinkling in the breeze")),
    (r"wind|snowstorm", _c("wind", N, "wind blowing", "a gust of wind", "howling wind")),
    (r"dayscape|/day$|sunny_day|desertday|/day\d|good_morning|desertambient", _c("daytime countryside ambience", N, "countryside ambience with birds", "birds singing in the daytime", "a quiet day outdoors")),
    (r"/night|nightime", _c("night ambience", N, "night ambience with crickets", "crickets at night", "a quiet night outdoors")),
    (r"river|water_sounds|env_sounds_water|stream", _c("river flowing", WA, "a river flowing", "running water", "a babbling stream")),
    (r"waterfall", _c("waterfall", WA, "a waterfall", "rushing water")),
    (r"wave", _c("waves crashing", WA, "waves crashing", "ocean waves on the shore", "surf")),
    (r"lava", _c("lava bubbling", FI, "lava bubbling", "molten lava hissing")),
    (r"leaves|bushrustle|foraging", _c("leaves rustling", N, "leaves rustling", "rustling bushes", "moving through foliage")),
    (r"extinguish|fireend", _c("fire extinguished", FI, "a fire being put out", "flames hissing out")),
    (r"firestart|flint_and_steel|wicker_fire", _c("fire igniting", FI, "a fire igniting", "flames bursting into life", "a torch catching fire")),
    (r"fire|furnace|/flamethrower|hell$", _c("fire burning", FI, "a fire burning", "crackling flames", "a roaring fire")),
    (r"item_smoke", _c("puff of smoke", FI, "a puff of smoke", "a soft poof")),
    (r"amb_farm", _c("farmyard ambience", N, "farmyard ambience", "farm animals and workers in the distance")),
    (r"amb_port", _c("harbour ambience", WA, "harbour ambience", "a busy port with water and gulls")),
    (r"amb_trade", _c("market ambience", N, "a busy market", "market crowd ambience")),
    # ---- tools and work ----
    (r"con_saw", _c("sawing wood", T, "sawing wood", "a hand saw cutting wood")),
    (r"con_stone|technician_build|worker_build|initiate_build|shaman_build", _c("construction work", T, "construction work", "hammering and building", "workers building")),
    (r"con_wood", _c("hammering wood", T, "hammering wood", "a hammer on wooden planks", "carpentry")),
    (r"hoe", _c("hoeing soil", T, "hoeing soil", "digging a field with a hoe")),
    (r"gather_field(?!expire)|initiate_harvest", _c("harvesting crops", T, "harvesting crops", "cutting grain with a sickle")),
    (r"gather_fruit(?!expire)", _c("picking fruit", T, "picking fruit", "gathering berries from a bush")),
    (r"gather_meat(?!expire)", _c("butchering meat", T, "butchering meat", "a knife cutting meat")),
    (r"lumber_treeexpire|tree_?fall", _c("tree falling", T, "a tree falling", "a tree crashing down")),
    (r"lumber_tree|harvest_wood|dig_choppy", _c("chopping wood", T, "chopping wood", "an axe chopping a tree", "wood chopping")),
    (r"mine_metal|technician_mine|worker_mine", _c("mining metal", T, "mining ore with a pickaxe", "a pickaxe striking metal ore")),
    (r"mine_stone|dig_cracky", _c("mining stone", T, "a pickaxe hitting stone", "mining rock", "chipping stone")),
    (r"dig_crumbly|gravel_dig|gravel_dug|dug_node|dig_dig_immediate|dig_snappy|dig_oddly", _c("digging", T, "digging", "a shovel digging dirt", "scraping gravel")),
    (r"ice_dig|ice_dug", _c("chipping ice", T, "chipping ice", "breaking ice")),
    (r"place_node", _c("placing a block", T, "placing a block", "setting down a heavy block", "a block thudding into place")),
    (r"expire", SKIP),
    # ---- doors and containers ----
    (r"stonegate_open|gate.*open", _c("gate opening", D, "a heavy gate opening", "a stone gate grinding open")),
    (r"stonegate_close|gate.*close", _c("gate closing", D, "a heavy gate closing", "a gate slamming shut")),
    (r"steel.*door_open|steel_bar_door_open", _c("metal door opening", D, "a metal door opening", "a steel door creaking open")),
    (r"steel.*door_close|steel_bar_door_close", _c("metal door closing", D, "a metal door closing", "a steel door clanging shut")),
    (r"door_open", _c("door opening", D, "a door opening", "a wooden door opening")),
    (r"door_close", _c("door closing", D, "a door closing", "a wooden door shutting")),
    (r"chest_open", _c("chest opening", D, "a wooden chest opening", "a lid creaking open")),
    (r"chest_close", _c("chest closing", D, "a wooden chest closing", "a lid closing")),
    # ---- vehicles and machines ----
    (r"ship_move|smove|warship_move|ship_select", _c("ship sailing", V, "a wooden ship sailing", "a ship creaking on the water")),
    (r"warship_death", _c("ship sinking", V, "a ship sinking", "a ship breaking apart")),
    (r"onager_moving|ram_move|cart_moving|catapult_walk|machine_walk|golem_walk", _c("wooden wheels rolling", V, "wooden wheels rolling", "a cart rolling", "a siege engine creaking along")),
    (r"hyperdrive|jump (in|out|drive)", _c("hyperdrive jump", S, "a spaceship jumping to hyperspace", "a hyperdrive whoosh")),
    (r"afterburner|takeoff|landing|airship_fly|orni_fly", _c("engine roar", V, "an engine roaring", "a spaceship taking off", "a flying machine engine")),
    (r"skid", _c("skidding", MV, "skidding", "a sliding skid")),
    (r"hook_attach|hook_noattach|hook_loop", _c("grappling hook", MV, "a grappling hook", "a hook latching on")),
    (r"dbljump|lugaru-data:.*/jump$", _c("jump", MV, "a jump", "a springy jump")),
    # ---- vocalisations ----
    (r"human/death/(male_)?death|stickfighter_die|swordman_die|spearman_die|guard_die|horseman_die|worker_die|archer_die|technician_die", _c("man screaming", VO, "a man screaming", "a man crying out in pain", "a dying scream")),
    (r"female_death|princess_die|valkyrie_die", _c("woman screaming", VO, "a woman screaming", "a woman crying out in pain")),
    (r"pain_long|pain_short|player_damage|teefault_cry", _c("cartoon pain cry", VO, "a cartoon pain cry", "a squeaky yelp of pain")),
    (r"heart ?beat", _c("heartbeat", VO, "a heartbeat", "a beating heart")),
    # ---- ui / notifications / alarms ----
    (r"alarm-clock|ringtones/alarm|/alarm clock|alarm synth", _c("alarm clock", AL, "an alarm clock ringing", "an alarm going off")),
    (r"interface/alarm|/alarm$|lugaru-data:.*alarm|megaglest.*attention", _c("alarm signal", AL, "an alarm signal", "a warning horn", "an alert sounding")),
    (r"phone-incoming|phone-outgoing|telephone", _c("phone ringing", UI, "a phone ringing", "a telephone ring tone")),
    (r"dialog-warning|dialog-error|suspend-error|battery-low|lowbattery|consolefail|/fail$", _c("error alert", UI, "an error alert", "a warning beep", "a low battery warning")),
    (r"camera-shutter|camera_click|screen-capture", _c("camera shutter", UI, "a camera shutter click", "taking a photo")),
    (r"camera_focus", _c("camera focus beep", UI, "a camera focus beep", "a short autofocus beep")),
    (r"device-added|power-plug|desktop-login|system-ready|service-login|gamesetup_join|network-connectivity-established", _c("connect chime", UI, "a rising connect chime", "a device connected sound", "a login chime")),
    (r"device-removed|power-unplug|desktop-logoff|service-logout|network-connectivity-lost", _c("disconnect chime", UI, "a falling disconnect chime", "a device removed sound", "a logout chime")),
    (r"trash-empty", _c("emptying the trash", UI, "emptying the trash", "crumpling paper")),
    (r"audio-volume-change|/click|tech_click|magic_click|sel_(fruit|metal|stone|tree)|highlight|msg-client|msg-server|wp_switch", _c("interface click", UI, "an interface click", "a short button click", "a menu tick")),
    (r"message|notifications/|/bell$|complete$|dialog-information|dialog-question|chat_alert|msg-highlight|consolesuccess|ctf_|wind chime|/bell\d", _c("notification chime", UI, "a notification chime", "a short alert tone", "a message notification")),
    (r"pickup", _c("item pickup", UI, "picking up an item", "a game pickup sound")),
    (r"spawn_wpn|summoner_summon|shaman_heal|archmage_attack|battlemage_attack|initiate_attack|summoner_attack|genie_attack", _c("magic spell", S, "a magic spell", "a magical shimmer", "casting a spell")),
]

_COMPILED = [(re.compile(p), c) for p, c in RULES]


def classify(package: str, rel_path: str) -> str | None:
    """Fine class of a file, or None to skip it."""
    key = f"{package}:{rel_path}".lower()
    key = re.sub(r"\.(ogg|oga|wav|flac|wv|aiff?)$", "", key)
    for pattern, cls in _COMPILED:
        if pattern.search(key):
            return cls
    return None


def coarse_of(cls: str) -> str:
    return CLASSES[cls][0]


def phrases_of(cls: str) -> list[str]:
    return CLASSES[cls][1]
